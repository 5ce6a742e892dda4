// The check before graphql-js's validation (src/graphql/repeats.ts): fields answering at one response path, counted
// with fragments spread in, in pairs.
import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CINDER_SCREEN, MANILA_SCREEN } from '../../bench/queries.js';
import { MAX_REPEATED_FIELD_PAIRS, repeatsTooMuch } from '../../src/graphql/repeats.js';

const doc = (s: string) => parse(s, { noLocation: true });

describe('repeatsTooMuch', () => {
  it('lets through what portals, GraphiQL and routers send', () => {
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { __typename ${Array.from({ length: 20 }, (_, i) => `... on T${i} { id name __typename }`).join(' ')} } }`;
    for (const query of [CINDER_SCREEN, MANILA_SCREEN, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), entities]) {
      expect(repeatsTooMuch(doc(query)), query.slice(0, 40)).toBe(false);
    }
  });

  it('counts pairs at one path, whether repeated in place, in inline fragments or by spreading a fragment', () => {
    // n fields at one path are n(n-1)/2 pairs: 141 -> 9,870, 142 -> 10,011.
    const repeated = (n: number) => doc(`{ ${Array(n).fill('... on Query { g }').join(' ')} }`);
    expect(repeatsTooMuch(repeated(141))).toBe(false);
    expect(repeatsTooMuch(repeated(142))).toBe(true);
    expect(repeatsTooMuch(doc(`{ a { ${Array(142).fill('...F').join(' ')} } } fragment F on A { x }`))).toBe(true);
    // Twenty components' fragments of one type sharing 25 fields, spread in one selection: 4,750 pairs.
    const shared = Array.from({ length: 25 }, (_, i) => `f${i}`).join(' ');
    const components = Array.from({ length: 20 }, (_, i) => `fragment C${i} on G { ${shared} }`).join(' ');
    expect(repeatsTooMuch(doc(`{ g { ${Array.from({ length: 20 }, (_, i) => `...C${i}`).join(' ')} } } ${components}`))).toBe(false);
    // The same names at different paths are no pairs.
    expect(repeatsTooMuch(doc(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: g { id }`).join(' ')} }`))).toBe(false);
    expect(MAX_REPEATED_FIELD_PAIRS).toBe(10_000);
  });

  it('takes time linear in what it walks, whatever the document (a review found seconds and 600 MB)', () => {
    const chain = (levels: number) =>
      `{ ...F0 } ${Array.from({ length: levels }, (_, i) => `fragment F${i} on Q { a { ...F${i + 1} } b { ...F${i + 1} } }`).join(' ')} fragment F${levels} on Q { x }`;
    const long = (i: number) => `${'n'.repeat(5_000)}${i}`;
    const wide = `{ ${Array.from({ length: 50 }, (_, i) => `${long(i)} { ...W }`).join(' ')} } fragment W on Q { ${Array.from({ length: 1_700 }, (_, i) => `w${i}`).join(' ')} }`;
    for (const query of [chain(120), chain(30), wide]) {
      const started = performance.now();
      expect(repeatsTooMuch(doc(query))).toBe(true);
      // Exponential or quadratic forms took 0.5 to 15 s here; the walk stops at 50,000 fields, a few milliseconds.
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('an exponential nesting of fragments is refused, a cyclic or unknown one left to validation', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Q { a { ...F${i + 1} } b { ...F${i + 1} } }`).join(' ');
    expect(repeatsTooMuch(doc(`{ ...F0 } ${chain} fragment F30 on Q { x }`))).toBe(true);
    expect(repeatsTooMuch(doc('{ ...A } fragment A on Q { x ...B } fragment B on Q { y ...A }'))).toBe(false);
    expect(repeatsTooMuch(doc('{ ...Missing }'))).toBe(false);
  });
});
