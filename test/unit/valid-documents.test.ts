// Subscription documents are parsed and validated once per text (probe of 2026-12-07: at 450 subscribes a second,
// validating each again was a quarter of the facade's CPU).
import { describe, expect, it } from 'vitest';
import { type DocumentRules, isRefusal, parseSubscription } from '../../src/live/prepare.js';
import { ValidDocuments } from '../../src/live/validDocuments.js';
import { buildSchema } from '../../src/schema.js';

const rules: DocumentRules = { schema: buildSchema(), maxTokens: 2000, maxNodes: 50_000, validationRules: [], development: false };
const SUB = 'subscription S($id: ID!) { group(id: $id) { id status } }';

describe('parseSubscription', () => {
  it('hands back the same document for the same text, checked once', () => {
    const first = parseSubscription({ query: SUB, variables: { id: 'x' } }, rules);
    const second = parseSubscription({ query: SUB, variables: { id: 'y' } }, rules);
    expect(isRefusal(first) || isRefusal(second)).toBe(false);
    if (isRefusal(first) || isRefusal(second)) return;
    expect(second.document).toBe(first.document);
  });

  it('still refuses, for a known text, what depends on the operation named', () => {
    const text = 'subscription A { group(id: "x") @skip(if: false) { id } } subscription B { group(id: "x") { id } }';
    const b = parseSubscription({ query: text, operationName: 'B' }, rules);
    expect(isRefusal(b)).toBe(false);
    // Known now: A's root field under @skip is refused all the same.
    const a = parseSubscription({ query: text, operationName: 'A' }, rules);
    expect(isRefusal(a) && a.errors[0]?.message).toMatch(/root field cannot be skipped/);
  });

  it('never keeps an invalid document', () => {
    const bad = 'subscription { group(id: "x") { nope } }';
    for (let i = 0; i < 2; i++) {
      const r = parseSubscription({ query: bad }, rules);
      expect(isRefusal(r) && r.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });
});

describe('ValidDocuments', () => {
  const doc = (n: number) => ({ kind: 'Document', definitions: [], n }) as never;
  it('keeps at most its entries, least recently used out', () => {
    const known = new ValidDocuments(2, 1_000);
    known.add('a', doc(1));
    known.add('b', doc(2));
    known.get('a');
    known.add('c', doc(3));
    expect([known.get('a'), known.get('b'), known.get('c')].map((d) => (d as { n: number } | undefined)?.n)).toEqual([1, undefined, 3]);
  });

  it('keeps at most its characters, and no text over a sixteenth of them', () => {
    const known = new ValidDocuments(100, 160);
    known.add('x'.repeat(11), doc(1));
    expect(known.size).toBe(0);
    for (let i = 0; i < 20; i++) known.add(`${i}`.padStart(10, '-'), doc(i));
    expect(known.size).toBe(16);
  });
});
