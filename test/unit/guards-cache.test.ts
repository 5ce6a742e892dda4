// The pre-execution checks (src/graphql/guards.ts) remember what they learnt of an operation: a document that comes
// back is not walked again for its cost or its literals, yet every request gets the answer (and the refusal) it
// got before: costs follow the variables, bad variables and bad page sizes are refused every time.
import { type OperationDefinitionNode, parse } from 'graphql';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Identity } from '../../src/identity/keystone.js';

const counted = vi.hoisted(() => ({ walks: 0 }));
vi.mock('../../src/graphql/cost.js', async (original) => {
  const real = await original<typeof import('../../src/graphql/cost.js')>();
  return {
    ...real,
    countNodes: (...args: Parameters<typeof real.countNodes>) => {
      counted.walks++;
      return real.countNodes(...args);
    },
  };
});

const { checkOperation } = await import('../../src/graphql/guards.js');
const { buildSchema } = await import('../../src/schema.js');

const schema = buildSchema();
const QUERY = `query Screen($n: Int, $all: Boolean, $name: String) {
  groups(first: $n, allProjects: $all, filter: { name: $name }) { nodes { id ...G } }
}
fragment G on Group { name volumes { id } snapshots(first: 5) { nodes { id } } }`;

function check(document: ReturnType<typeof parse>, variables: Record<string, unknown>, identity: Identity | null = null) {
  const operation = document.definitions[0] as OperationDefinitionNode;
  const caller: { allProjects?: boolean } = {};
  const cost = checkOperation(schema, 50_000, document, operation, variables, { identity, caller: caller as never });
  return { cost, allProjects: caller.allProjects === true };
}

describe('checkOperation on a document that comes back', () => {
  beforeEach(() => {
    counted.walks = 0;
  });

  it('counts once per page size, and answers as a fresh count would', () => {
    const doc = parse(QUERY);
    const first = check(doc, { n: 10 });
    expect(first.cost.nodes).toBe(check(parse(QUERY), { n: 10 }).cost.nodes);
    expect(counted.walks).toBe(2);
    for (let i = 0; i < 5; i++) expect(check(doc, { n: 10 }).cost).toEqual(first.cost);
    expect(counted.walks).toBe(2); // the same document and variables again: no new count
    expect(check(doc, { n: 10, name: 'db' }).cost).toEqual(first.cost);
    expect(counted.walks).toBe(3); // any variable may matter to the count (representations do): counted anew
    const bigger = check(doc, { n: 20 });
    expect(bigger.cost.nodes).toBe(check(parse(QUERY), { n: 20 }).cost.nodes);
    expect(bigger.cost.nodes).toBeGreaterThan(first.cost.nodes);
    expect(check(doc, {}).cost.nodes).toBe(check(parse(QUERY), {}).cost.nodes);
  });

  it('refuses bad page sizes and bad strings every time, with the same message', () => {
    const doc = parse(QUERY);
    check(doc, { n: 10 });
    for (let i = 0; i < 2; i++) {
      expect(() => check(doc, { n: -1 })).toThrow(/"first" must be between 0 and/);
      expect(() => check(doc, { n: 10, name: 'a\u0000b' })).toThrow(/Variable \$name contains a control character U\+0000/);
      expect(() => check(doc, { n: 10, name: 'x'.repeat(256) })).toThrow(/at most 255 characters/);
    }
    const badLiteral = parse('{ groups(first: 2, filter: { name: "a\\u0001" }) { nodes { id } } }');
    for (let i = 0; i < 2; i++) expect(() => check(badLiteral, {})).toThrow(/Argument groups\(filter\.name\) contains a control character U\+0001/);
  });

  it('asks for every project exactly when the variable or the literal says so', () => {
    const doc = parse(QUERY);
    expect(check(doc, { n: 1, all: false }).allProjects).toBe(false);
    expect(check(doc, { n: 1, all: true }).allProjects).toBe(true);
    expect(check(doc, { n: 1 }).allProjects).toBe(false);
    const member = { roles: ['member'] } as unknown as Identity;
    expect(() => check(doc, { n: 1, all: true }, member)).toThrow(/allProjects needs the admin role/);
    expect(check(doc, { n: 1, all: false }, member).allProjects).toBe(false);
    expect(check(parse('{ groups(first: 1, allProjects: true) { nodes { id } } }'), {}).allProjects).toBe(true);
  });

  it("takes a variable's default when the request leaves it out, as execution will", () => {
    const defaulted = parse('query ($all: Boolean = true, $n: Int = 1) { groups(first: $n, allProjects: $all) { nodes { id } } }');
    expect(check(defaulted, {}).allProjects).toBe(true);
    expect(check(defaulted, { all: false }).allProjects).toBe(false);
    const member = { roles: ['member'] } as unknown as Identity;
    expect(() => check(defaulted, {}, member)).toThrow(/allProjects needs the admin role/);
    // A page size past the limit, or a bad string, as a default is refused as it would be when sent.
    expect(() => check(parse('query ($n: Int = 100000) { groups(first: $n) { nodes { id } } }'), {})).toThrow(/"first" must be between 0 and/);
    expect(() => check(parse('query ($name: String = "a\\u0000b") { groups(first: 1, filter: { name: $name }) { nodes { id } } }'), {})).toThrow(/control character U\+0000/);
  });
});

describe('a variable named __proto__', () => {
  // Once a defaulted one was counted as execution sees it; now graphql-jit is known to lose it (reserved-variables.test.ts).
  it('is refused as a reserved name, with or without a default, whoever asks', () => {
    const member = { roles: ['member'] } as unknown as Identity;
    const all = parse('query ($__proto__: Boolean = true) { groups(first: 1, allProjects: $__proto__) { nodes { id } } }');
    expect(() => check(all, {}, member)).toThrow(/Variable names starting with "__" are reserved/);
    expect(() => check(all, {})).toThrow(/reserved/);
    const big = parse('query ($__proto__: Int) { groups(first: $__proto__) { nodes { id } } }');
    expect(() => check(big, { n: 1 })).toThrow(/reserved/);
  });
});

describe('the cost memo', () => {
  it('is bounded process-wide, not per operation: many operations push the oldest out', () => {
    const docs = Array.from({ length: 5_000 }, (_, i) => parse(`query O${i}($n: Int) { groups(first: $n) { nodes { id } } }`));
    for (const doc of docs) check(doc, { n: 2 });
    counted.walks = 0;
    check(docs[docs.length - 1]!, { n: 2 });
    expect(counted.walks).toBe(0); // the newest is still remembered
    check(docs[0]!, { n: 2 });
    expect(counted.walks).toBe(1); // the oldest was let go: before, each operation kept 32 keys for as long as it lived
  });
});
