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
    // n fields at one path are n(n-1)/2 pairs: 100 -> 4,950, 101 -> 5,050.
    const repeated = (n: number) => doc(`{ ${Array(n).fill('... on Query { g }').join(' ')} }`);
    expect(repeatsTooMuch(repeated(100))).toBe(false);
    expect(repeatsTooMuch(repeated(101))).toBe(true);
    expect(repeatsTooMuch(doc(`{ a { ${Array(101).fill('...F').join(' ')} } } fragment F on A { x }`))).toBe(true);
    // The same names at different paths are no pairs.
    expect(repeatsTooMuch(doc(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: g { id }`).join(' ')} }`))).toBe(false);
    expect(MAX_REPEATED_FIELD_PAIRS).toBe(5_000);
  });

  it('an exponential nesting of fragments is refused, a cyclic or unknown one left to validation', () => {
    const chain = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Q { a { ...F${i + 1} } b { ...F${i + 1} } }`).join(' ');
    expect(repeatsTooMuch(doc(`{ ...F0 } ${chain} fragment F30 on Q { x }`))).toBe(true);
    expect(repeatsTooMuch(doc('{ ...A } fragment A on Q { x ...B } fragment B on Q { y ...A }'))).toBe(false);
    expect(repeatsTooMuch(doc('{ ...Missing }'))).toBe(false);
  });
});
