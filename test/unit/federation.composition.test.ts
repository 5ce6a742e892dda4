// groupgraph's subgraph SDL composes with the example "ownership" subgraph (the CI composition check of issue 22),
// every @key type of the schema files has a loader behind it, and a subgraph that does not fit is refused.
import { isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composeSupergraph } from '../../examples/compose.js';
import { OWNERSHIP_SDL } from '../../examples/ownership/server.js';
import { ENTITIES } from '../../src/federation/entities.js';
import { subgraphSdl } from '../../src/federation/subgraph.js';
import { buildSchema } from '../../src/schema.js';

const schema = buildSchema();
const sdl = subgraphSdl(schema);
const subgraphs = (ownership: string) => [
  { name: 'groupgraph', url: 'http://groupgraph.invalid/graphql', sdl },
  { name: 'ownership', url: 'http://ownership.invalid/graphql', sdl: ownership },
];

describe('federation composition', () => {
  it('the subgraph SDL links Federation 2 and keys every entity by id', () => {
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.7"');
    for (const typename of Object.keys(ENTITIES)) expect(sdl).toMatch(new RegExp(`type ${typename}\\s+@key\\(fields: "id"\\)`));
  });

  it('every @key type of the schema files is resolvable (has a loader), and nothing else is', () => {
    const entity = schema.getType('_Entity');
    if (!isUnionType(entity)) throw new Error('_Entity is missing: the schema has no @key type');
    expect(entity.getTypes().map((t) => t.name).sort()).toEqual(Object.keys(ENTITIES).sort());
  });

  it('groupgraph + ownership compose into a supergraph joining Team to Group', () => {
    const supergraph = composeSupergraph(subgraphs(OWNERSHIP_SDL));
    expect(supergraph).toMatch(/type Group\s[^{]*@join__type\(graph: GROUPGRAPH, key: "id"\)[^{]*@join__type\(graph: OWNERSHIP, key: "id"\)/);
    expect(supergraph).toMatch(/owner: Team @join__field\(graph: OWNERSHIP\)/);
    for (const typename of Object.keys(ENTITIES)) {
      expect(supergraph).toMatch(new RegExp(`type ${typename}\\s[^{]*@join__type\\(graph: GROUPGRAPH, key: "id"\\)`));
    }
  });

  it("composes beside a subgraph with its own Relay PageInfo and KeyValue (value types every subgraph may share)", () => {
    const link = /extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+", import: \[([^\]]*)\]\)/;
    expect(OWNERSHIP_SDL).toMatch(link);
    const withShared = `${OWNERSHIP_SDL.replace(link, (m, imports: string) => (imports.includes('"@shareable"') ? m : m.replace(imports, `${imports}, "@shareable"`)))}
type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
type KeyValue @shareable { key: String! value: String! }
`;
    const supergraph = composeSupergraph(subgraphs(withShared));
    expect(supergraph).toMatch(/type PageInfo\s[^{]*@join__type\(graph: GROUPGRAPH\)[^{]*@join__type\(graph: OWNERSHIP\)/);
  });

  it('a subgraph that contradicts groupgraph is refused with the reason', () => {
    // Group.id is ID! in groupgraph; a subgraph declaring it Int! cannot share the key.
    const conflicting = OWNERSHIP_SDL.replace(/(type Group @key\(fields: "id"\) \{[^}]*?id:) ID!/, '$1 Int!');
    expect(conflicting).not.toBe(OWNERSHIP_SDL);
    expect(() => composeSupergraph(subgraphs(conflicting))).toThrow(/Group\.id/);
  });
});
