// Differential probe of 2026-12-08: graphql-jit (a document's second run on, every run in the tests) dropped the
// fields of a fragment wherever one spread of it was skipped: `{}` where graphql-js answered data, non-null fields
// gone without an error. And compiling a 1.6 KB document of 14 aliased fragment trees held the event loop 0.5-0.9 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ GRAPHQL_COMPILE_AFTER: '0' });
});
afterAll(() => f.close());

const twice = async (query: string, variables?: Record<string, unknown>) => {
  const first = await f.gql(query, variables);
  const second = await f.gql(query, variables);
  expect(second.data).toEqual(first.data);
  return first;
};

describe('@skip and @include on fragments, compiled', () => {
  it('one fragment spread skipped, another included, in one selection', async () => {
    const r = await twice('query($a: Boolean!) { groups(first: 2) { nodes { ...F @skip(if: $a) ...F @include(if: $a) } } } fragment F on Group { name }', { a: true });
    expect(r.errors, r.raw).toBeUndefined();
    const nodes = (r.data!.groups as { nodes: { name?: string }[] }).nodes;
    expect(nodes).toHaveLength(2);
    expect(nodes.every((n) => typeof n.name === 'string')).toBe(true);
  });

  it('a skipped spread under one field leaves the same fragment whole under another', async () => {
    const [a, b] = [SEED.groups.dbClusterProd, SEED.groups.webTier];
    const r = await twice(`{ g: group(id: "${a}") { ...F @skip(if: true) id } h: group(id: "${b}") { ...F } } fragment F on Group { name }`);
    expect(r.data).toEqual({ g: { id: a }, h: { name: expect.any(String) } });
  });

  it('non-null root fields are never dropped', async () => {
    const r = await twice('query($a: Boolean!) { ...Q @skip(if: $a) ...Q @include(if: $a) } fragment Q on Query { viewer { roles } }', { a: true });
    expect(r.data).toEqual({ viewer: { roles: expect.any(Array) } });
  });
});
