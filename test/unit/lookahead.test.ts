// The look-ahead a page's root resolver uses to start its nodes' reads early (issue 5): which fields the query
// asks of each node, through nodes, edges.node, aliases and fragments.
import { type GraphQLResolveInfo, buildSchema, execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { hasArgument, nodeSelections, wantedLinks } from '../../src/graphql/lookahead.js';

const schema = buildSchema(`
  type Query { things(first: Int): ThingConnection }
  type ThingConnection { nodes: [Thing!]! edges: [ThingEdge!]! totalCount: Int }
  type ThingEdge { node: Thing! cursor: String! }
  type Thing { id: ID! kids(after: String): [Thing!]! kind: String other: String }
`);

/** Runs the query and returns what the look-ahead saw at `things`. */
function seen(query: string, variables?: Record<string, unknown>) {
  let found: ReturnType<typeof nodeSelections> | undefined;
  let links: Record<'kids' | 'kind' | 'other', boolean> | undefined;
  const result = execute({
    schema,
    document: parse(query),
    variableValues: variables,
    rootValue: {
      things: (_: unknown, __: unknown, info: GraphQLResolveInfo) => {
        found = nodeSelections(info);
        links = wantedLinks(info, ['kids', 'kind', 'other'], ['kids']);
        return null;
      },
    },
  });
  expect((result as { errors?: unknown }).errors).toBeUndefined();
  return Object.assign(found!, { links: links! });
}

describe('nodeSelections', () => {
  it('sees the fields under nodes and under edges.node, by field name rather than alias', () => {
    const a = seen('{ things { totalCount nodes { id k: kind } } }');
    expect([...a.keys()].sort()).toEqual(['id', 'kind']);
    const b = seen('{ things { edges { cursor node { kids { id } } } } }');
    expect([...b.keys()]).toEqual(['kids']);
  });

  it('follows inline fragments and named fragments, including nested and repeated ones', () => {
    const s = seen(`
      query { things { ...Page nodes { ... on Thing { other } } } }
      fragment Page on ThingConnection { nodes { ...Bits ...Bits } }
      fragment Bits on Thing { kind ...More }
      fragment More on Thing { kids { id } }
    `);
    expect([...s.keys()].sort()).toEqual(['kids', 'kind', 'other']);
  });

  it('does not see fields outside the nodes, and reports arguments literal or from variables', () => {
    const s = seen('query($a: String) { things { totalCount nodes { kids(after: $a) { kind } } } }', { a: null });
    expect([...s.keys()]).toEqual(['kids']);
    expect(hasArgument(s.get('kids'), 'after')).toBe(true);
    expect(hasArgument(seen('{ things { nodes { kids { id } } } }').get('kids'), 'after')).toBe(false);
    expect(hasArgument(undefined, 'after')).toBe(false);
  });

  it('wantedLinks: the links asked of each node, a paged link only on its first page', () => {
    expect(seen('{ things { nodes { kids { id } kind } } }').links).toEqual({ kids: true, kind: true, other: false });
    expect(seen('query($a: String) { things { nodes { kids(after: $a) { id } } } }', { a: 'x' }).links).toEqual({
      kids: false,
      kind: false,
      other: false,
    });
  });
});
