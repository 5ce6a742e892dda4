// groupgraph as a Federation 2 subgraph, asked directly as a router would: `_service { sdl }`, and `_entities`
// batched through the per-request loaders (a router's 100 representations cost what a page of 100 does), missing
// ids null, both executors, and bad representations refused before any upstream call.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SDRS_SEED_GROUPS, SDRS_SEED_JOBS } from '../../src/simulator/sdrs/seed.js';
import { subgraphSdl } from '../../src/federation/subgraph.js';
import { buildSchema } from '../../src/schema.js';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const ENTITIES = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Group { id name snapshots(first: 5) { nodes { name } } }
    ... on ProtectionGroup { id protectionGroupName: name }
    ... on Job { id status }
  }
}`;
const group = (id: string) => ({ __typename: 'Group', id });
const MISSING = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4bff';
const EXTRA = 150;

describe.each(['0', 'off'])('subgraph (GRAPHQL_COMPILE_AFTER=%s)', (compileAfter) => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ GRAPHQL_COMPILE_AFTER: compileAfter });
  });
  afterAll(() => f.close());

  it('_service { sdl } is the SDL composition reads from the schema files', async () => {
    const data = await f.ok<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(data._service.sdl).toBe(subgraphSdl(buildSchema()));
  });

  it('_entities answers in order, across services, with null for ids the caller cannot see', async () => {
    const representations = [
      group(SEED.groups.webTier),
      { __typename: 'ProtectionGroup', id: SDRS_SEED_GROUPS.erpProd },
      group(MISSING),
      { __typename: 'Job', id: SDRS_SEED_JOBS.hrPortalFailover },
      group(SEED.groups.dbClusterProd),
    ];
    for (let run = 0; run < 3; run++) {
      // Run more than once: the compiled executor takes over from the second run on.
      const data = await f.ok<any>(ENTITIES, { representations });
      const [web, pg, missing, job, db] = data._entities;
      expect(web).toMatchObject({ __typename: 'Group', id: SEED.groups.webTier, name: 'web-tier' });
      expect(pg).toMatchObject({ __typename: 'ProtectionGroup', id: SDRS_SEED_GROUPS.erpProd });
      expect(missing).toBeNull();
      expect(job).toMatchObject({ __typename: 'Job', id: SDRS_SEED_JOBS.hrPortalFailover, status: 'SUCCESS' });
      expect(db.snapshots.nodes.map((s: { name: string }) => s.name)).toContain('db-pre-upgrade');
    }
  });

  it('another project\'s caller gets null for the same representations (the token decides, not the router)', async () => {
    const other = 'member:5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e';
    const data = await f.ok<any>(ENTITIES, { representations: [group(SEED.groups.webTier)] }, { token: other });
    expect(data._entities).toEqual([null]);
  });

  it.each([
    ['an unknown type', [{ __typename: 'Team', id: 'team-web' }], /must name an entity of this subgraph/],
    ['not an object', ['Group'], /representations\[0\] must be an object/],
    ['1001 representations', Array.from({ length: 1001 }, () => group(SEED.groups.webTier)), /holds 1001 items; at most 1000/],
  ])('%s is BAD_USER_INPUT with no upstream call', async (_, representations, message) => {
    const sims = Object.values(f.app.simulators);
    for (const s of sims) s!.resetCalls();
    const r = await f.gql(ENTITIES, { representations });
    expect(r.status, r.raw).toBe(400);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(sims.flatMap((s) => s!.calls)).toEqual([]);
  });

  it.each([
    ['a route word for an id', group('detail'), /^Invalid group id "detail"/],
    ['a job id in UUID form', { __typename: 'Job', id: SEED.groups.webTier }, /^Invalid job id/],
    ['no id', { __typename: 'Group' }, /^id must be a string \(the @key of Group\)/],
    ['a number for an id', { __typename: 'Volume', id: 42 }, /^id must be a string \(the @key of Volume\)/],
  ])('%s is BAD_USER_INPUT on its own item: the other references of the batch still resolve (a router merges fetches)', async (_, bad, message) => {
    const sims = Object.values(f.app.simulators);
    for (const s of sims) s!.resetCalls();
    const r = await f.gql(ENTITIES, { representations: [group(SEED.groups.webTier), bad, { __typename: 'ProtectionGroup', id: SDRS_SEED_GROUPS.erpProd }] });
    expect(r.status, r.raw).toBe(200);
    const body = JSON.parse(r.raw);
    expect(body.data._entities[0]).toMatchObject({ __typename: 'Group', id: SEED.groups.webTier });
    expect(body.data._entities[1]).toBeNull();
    expect(body.data._entities[2]).toMatchObject({ __typename: 'ProtectionGroup', id: SDRS_SEED_GROUPS.erpProd });
    expect(body.errors, r.raw).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ path: ['_entities', 1], extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors[0].message).toMatch(message);
    // Nothing of the bad one went upstream.
    const paths = sims.flatMap((s) => s!.calls).map((c) => c.url);
    // A show of the bad id would be `/groups/detail` with no query (listings carry one), `/volumes/42`, `/jobs/<uuid>`.
    expect(paths.filter((u) => /\/groups\/detail$|\/volumes\/42$/.test(u) || u.includes(`jobs/${SEED.groups.webTier}`))).toEqual([]);
    expect(paths.length, paths.join(' ')).toBeGreaterThan(0);
  });

  it("a router's own aliases of _entities (one per merged fetch) are not the client's: only the selection's count", async () => {
    // Hive Gateway merges parallel fetches as `_v0__entities: _entities(…)`, `_v1__entities` …
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `f${i}: name`).join(' ');
    const merged = (clientAliases: number) =>
      `query($r: [_Any!]!) { ${[0, 1, 2].map((i) => `_v${i}__entities: _entities(representations: $r) { ... on Group { ${fields(clientAliases)} } }`).join(' ')} }`;
    const ok = await f.gql(merged(5), { r: [group(SEED.groups.webTier)] });
    expect(ok.errors, ok.raw).toBeUndefined();
    expect(JSON.parse(ok.raw).data._v2__entities[0].f4).toBe('web-tier');
    // The selection's own aliases still count: 3 × 6 client aliases are over the limit of 15.
    const over = await f.gql(merged(6), { r: [group(SEED.groups.webTier)] });
    expect(over.errors?.[0]?.message, over.raw).toMatch(/Aliases limit of 15 exceeded, found 18/);
  });

  it("each representation is charged its own type's fragments, not every type's (a router's fetch may mix types)", async () => {
    const mixed = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Group { snapshots(first: 40) { nodes { name } } }
      ... on ShareGroup { snapshots(first: 40) { nodes { name } } }
      ... on ProtectionGroup { name }
    } }`;
    const pg = { __typename: 'ProtectionGroup', id: SDRS_SEED_GROUPS.erpProd };
    // Groups: 1 + 1 connection + 40 snapshots each; protection groups: 1 each. Not 1 + 42 + 42 for every one.
    const r = await f.gql(mixed, { r: [group(SEED.groups.webTier), group(SEED.groups.webTier), pg] });
    expect(r.errors, r.raw).toBeUndefined();
    expect(JSON.parse(r.raw).extensions.cost.nodes).toBe(2 * 42 + 1);
    // 1000 groups fit under GRAPHQL_MAX_NODES with the other types' fragments beside theirs (42,000 ≤ 50,000).
    const many = await f.gql(mixed, { r: Array.from({ length: 1000 }, () => group(SEED.groups.webTier)) });
    expect(many.errors, many.raw.slice(0, 300)).toBeUndefined();
  });

  it('representations written in the document are checked and counted the same way', async () => {
    const literal = (id: string) => `{ _entities(representations: [{ __typename: "Group", id: "${id}" }]) { ... on Group { name } } }`;
    const good = await f.gql(literal(SEED.groups.webTier));
    expect(JSON.parse(good.raw).data._entities).toEqual([{ name: 'web-tier' }]);
    expect(JSON.parse(good.raw).extensions.cost.nodes).toBe(1);
    const bad = await f.gql(literal('../detail'));
    expect(bad.errors?.[0]?.extensions?.code, bad.raw).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.path, bad.raw).toEqual(['_entities', 0]);
  });

  it('each representation counts as an object with its selection: a large batch is QUERY_TOO_LARGE before any call', async () => {
    const sims = Object.values(f.app.simulators);
    for (const s of sims) s!.resetCalls();
    const big = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Group { snapshots(first: 100) { nodes { name } } } } }`;
    const representations = Array.from({ length: 1000 }, () => group(SEED.groups.webTier));
    const r = await f.gql(big, { r: representations });
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('QUERY_TOO_LARGE');
    expect(r.errors?.[0]?.extensions?.cost).toEqual({ nodes: 1000 * (1 + 1 + 100), limit: 50_000 });
    expect(sims.flatMap((s) => s!.calls)).toEqual([]);
    const small = await f.gql(big, { r: representations.slice(0, 3) });
    expect(JSON.parse(small.raw).extensions.cost.nodes).toBe(3 * 102);
  });
});

describe('_entities calls stay flat in the number of representations', () => {
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  let f: Facade;
  let ids: string[];
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' }, { cinder: { extraGroups: EXTRA } });
    const page = await f.ok<any>('{ groups(first: 100, sort: { key: NAME, direction: ASC }) { nodes { id } } }', undefined, { token: 'ids' });
    ids = page.groups.nodes.map((g: { id: string }) => g.id);
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  /** The Cinder calls one request makes, with a token of its own (so nothing learnt by another request helps). */
  async function callsOf(query: string, variables: Record<string, unknown> | undefined, token: string) {
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    const data = await f.ok<any>(query, variables, { token });
    return { data, calls: sim.calls.map((c) => `${c.method} ${c.path}`) };
  }

  it('1, 10 and 100 Group representations: one show for one, then one listing however many', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name status } } }';
    const counts: Record<number, number> = {};
    for (const n of [1, 10, 100]) {
      const { data, calls } = await callsOf(query, { r: ids.slice(0, n).map(group) }, `flat-${n}`);
      expect(data._entities.map((g: { id: string }) => g.id)).toEqual(ids.slice(0, n));
      counts[n] = calls.length;
      if (n > 1) expect(calls.filter((c) => /\/groups\/[0-9a-f-]{36}$/.test(c)), calls.join('\n')).toEqual([]);
    }
    expect(counts[1]).toBe(1);
    expect(counts[100]).toBe(counts[10]);
  });

  it('a service that is not configured fails its own representations only', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id } ... on ShareGroup { id } } }';
    const r = await f.gql<any>(query, { r: [group(ids[0]!), { __typename: 'ShareGroup', id: MISSING }] }, { token: 'absent-manila' });
    expect(r.data?._entities, r.raw).toEqual([{ id: ids[0] }, null]);
    expect(r.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['_entities', 1], 'UPSTREAM_UNAVAILABLE']]);
  });

  it('100 representations cost no more upstream calls than a page of 100 groups', async () => {
    const page = await callsOf('{ groups(first: 100) { nodes { id name status } } }', undefined, 'page-100');
    const entities = await callsOf(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Group { id name status } } }',
      { r: ids.map(group) },
      'entities-100',
    );
    expect(entities.data._entities).toHaveLength(100);
    expect(entities.calls.length, `page:\n${page.calls.join('\n')}\nentities:\n${entities.calls.join('\n')}`).toBeLessThanOrEqual(page.calls.length);
  });
});

describe('_entities of SDRS protection groups', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'sdrs', CINDER_URL: 'http://127.0.0.1:9/v3/x' }, { sdrs: { extraGroups: 120 } });
  });
  afterAll(() => f.close());

  it('100 representations are one listing, not 100 shows; an id the listing lacks is shown, and null when gone', async () => {
    const page = await f.ok<any>('{ protectionGroups(first: 100) { nodes { id } } }', undefined, { token: 'pg-ids' });
    const ids: string[] = page.protectionGroups.nodes.map((g: { id: string }) => g.id);
    expect(ids).toHaveLength(100);
    const sim = f.app.simulators.sdrs!;
    sim.resetCalls();
    const missing = 'a3c1e7d2-5b4f-4e8a-9d61-2f7b0c8e4aff';
    const representations = [...ids, missing].map((id) => ({ __typename: 'ProtectionGroup', id }));
    const data = await f.ok<any>(ENTITIES, { representations }, { token: 'pg-entities' });
    expect(data._entities.slice(0, 100).map((g: { id: string }) => g.id)).toEqual(ids);
    expect(data._entities[100]).toBeNull();
    const calls = sim.calls.map((c) => `${c.method} ${c.path}`);
    expect(calls.filter((c) => /\/server-groups\/[0-9a-f-]{36}$/.test(c)), calls.join('\n')).toEqual([`GET ${sim.calls.at(-1)!.path}`]);
    expect(calls.length, calls.join('\n')).toBe(2);
  });
});

