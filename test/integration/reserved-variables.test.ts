// A variable named `$__proto__`. Once a query was compiled (graphql-jit, from its second run) its variables were
// coerced into a plain object, where `__proto__` sets the prototype: the second run of a filtered query listed
// every group, its filter gone, and a page size was counted as given but read at its default (probe of 2026-12-07).
// Names starting with `__` are GraphQL's reserved ones: refused on every run, before any upstream call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

describe('a variable named with two leading underscores', () => {
  let f: Facade;
  const calls = () => Object.values(f.app.simulators).flatMap((s) => (s ? s.calls : []));
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila,sdrs', GRAPHQL_COMPILE_AFTER: '1' });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
  });
  afterAll(() => f.close());

  it('is refused, on the first run and on the runs a compiled query would serve, at no upstream call', async () => {
    const query = 'query P($__proto__: GroupFilter) { groups(filter: $__proto__) { nodes { id name } } }';
    for (let run = 0; run < 3; run++) {
      Object.values(f.app.simulators).forEach((s) => s?.resetCalls());
      const r = await f.gql<any>(query, { ['__proto__']: { name: 'zzz-none' } });
      expect(r.data?.groups ?? null, r.raw).toBeNull();
      expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/reserved/);
      expect(calls()).toEqual([]);
    }
  });

  it('the same query with an ordinary name still filters on every run', async () => {
    const query = 'query P($filter: GroupFilter) { groups(filter: $filter) { nodes { id name } } }';
    for (let run = 0; run < 3; run++) expect((await f.ok<any>(query, { filter: { name: 'zzz-none' } })).groups.nodes).toEqual([]);
  });
});
