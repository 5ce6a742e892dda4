// The cost walk (src/graphql/cost.ts) on fragments spread many times over several levels: each fragment is counted
// once per page size, not once per spread. A 70 KB document of 3 levels of 330 spreads each was 36 million walks
// of its leaf before, blocking the event loop for minutes (probe of 2026-12-07); the counts must stay exact.
import { type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countNodes } from '../../src/graphql/cost.js';
import { buildSchema } from '../../src/schema.js';

const schema = buildSchema();

/** `query { ...F0 }`, F(i) spreading F(i+1) `k` times, for `levels` levels, the last holding `leaf`. */
function nested(levels: number, k: number, leaf: string): string {
  const defs: string[] = [];
  for (let i = 0; i < levels; i++) defs.push(`fragment F${i} on Query { ${Array(k).fill(`...F${i + 1}`).join(' ')} }`);
  defs.push(`fragment F${levels} on Query { ${leaf} }`);
  return `query { ...F0 } ${defs.join(' ')}`;
}

/** countNodes on `source`, with the schema's type lookups counted (the walk looks one up per fragment it expands). */
function cost(source: string): { nodes: number; lookups: number } {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  let lookups = 0;
  const counting = Object.create(schema, {
    getType: { value: (name: string) => (lookups++, schema.getType(name)) },
  }) as GraphQLSchema;
  return { nodes: countNodes(counting, operation, fragments, {}), lookups };
}

describe('the cost of fragments spread many times', () => {
  it('is the exact product of the spreads', () => {
    // 3 x 3 spreads of a list of group types (50 each, and the list itself).
    expect(cost(nested(2, 3, 'groupTypes { id }')).nodes).toBe(9 * 50);
    // Under a page of 7 groups the same fragment counts 7 times per group, the page size being part of its cost.
    const paged = `query { groups(first: 7) { nodes { ...G } } other: groups(first: 3) { nodes { ...G } } }
      fragment G on Group { ...V ...V } fragment V on Group { volumes { id } }`;
    expect(cost(paged).nodes).toBe(1 + 7 * (1 + 2 * 10) + 1 + 3 * (1 + 2 * 10)); // each connection object counts 1
  });

  it('walks each fragment once per page size, not once per spread', () => {
    // 40^3 = 64,000 spreads of the leaf: as many expansions before.
    const { nodes, lookups } = cost(nested(3, 40, 'groupTypes { id }'));
    expect(nodes).toBe(64_000 * 50);
    expect(lookups).toBeLessThan(200);
  });
});
