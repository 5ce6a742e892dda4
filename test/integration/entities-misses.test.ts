// Ids a complete listing lacked are shown one by one, at most 100 a request per loader (probe of 2026-12-07: one
// `_entities` of 1000 made-up ids cost a listing and 1000 shows; eight at once filled Cinder's bulkhead).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SDRS_SEED_GROUPS } from '../../src/simulator/sdrs/seed.js';
import { MAX_MISSES_SHOWN } from '../../src/upstreams/loaders.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

const QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Volume { id } ... on ProtectionGroup { id } } }';
const MADE_UP = 150;

describe.each([
  ['Volume', 'cinder', SEED.volume(1)],
  ['ProtectionGroup', 'sdrs', SDRS_SEED_GROUPS.erpProd],
] as const)('%s: made-up ids of one _entities call', (typename, service, real) => {
  it(`cost a listing and ${MAX_MISSES_SHOWN} shows; the rest are QUERY_TOO_LARGE on their own items`, async () => {
    const ids = [real, ...Array.from({ length: MADE_UP }, () => randomUUID())];
    const r = await f.gql(QUERY, { r: ids.map((id) => ({ __typename: typename, id })) });
    expect(r.status, r.raw).toBe(200);
    const entities = r.data!._entities as ({ id: string } | null)[];
    expect(entities[0]).toMatchObject({ __typename: typename, id: real });
    expect(entities.slice(1, 1 + MAX_MISSES_SHOWN).every((e) => e === null)).toBe(true);
    const refused = (r.errors ?? []).filter((e) => e.extensions?.code === 'QUERY_TOO_LARGE');
    expect(refused).toHaveLength(MADE_UP - MAX_MISSES_SHOWN);
    expect(refused[0]!.path).toEqual(['_entities', 1 + MAX_MISSES_SHOWN]);
    expect(refused[0]!.message).toMatch(/is not in its listing, and this request has already looked up 100 such ids one by one/);
    const calls = f.app.simulators[service]!.calls.filter((c) => c.method === 'GET');
    expect(calls.length).toBeLessThanOrEqual(MAX_MISSES_SHOWN + 3);
  });
});

it('ids the listing holds cost nothing more, however many', async () => {
  const page = await f.ok<any>('{ volumes(first: 1000) { nodes { id } } }');
  const ids: string[] = page.volumes.nodes.map((v: { id: string }) => v.id);
  f.app.simulators.cinder!.resetCalls();
  const r = await f.ok<any>(QUERY, { r: ids.map((id) => ({ __typename: 'Volume', id })) });
  expect(r._entities.map((e: { id: string }) => e.id)).toEqual(ids);
  expect(f.app.simulators.cinder!.calls.length).toBeLessThanOrEqual(2);
});
