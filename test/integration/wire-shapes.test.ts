// Wire audit of 2026-12-08: upstream answers of another shape than their API's reached code that trusted them:
// wrong data without an error (specs of a string, one per character; a misshaped listing as an empty list; a
// counter of -1 offering an action), or INTERNAL_SERVER_ERROR. Each is now the upstream's error (or, for a
// counter, left out so the listing counts).
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { SDRS_SEED_GROUPS as G } from '../../src/simulator/sdrs/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
  await f.ok('{ groups(first: 1) { nodes { id } } shareGroups(first: 1) { nodes { id } } protectionGroups(first: 1) { nodes { id } } }');
});
afterAll(() => f.close());
const projects = new Map<string, string>();
beforeEach(() => {
  for (const [name, s] of Object.entries(f.app.simulators)) {
    const base = s!.calls.map((c) => /^\/v\d\/[0-9a-f]{32}(?=\/)/.exec(c.path)?.[0]).find(Boolean);
    if (base) projects.set(name, base);
    s!.resetCalls();
  }
});

const sim = (name: 'cinder' | 'manila' | 'sdrs') => f.app.simulators[name]!;
const codes = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => (r.errors ?? []).map((e) => e.extensions?.code);

/** What the simulator answers at `path` (below its project), as JSON. */
async function wire(name: 'cinder' | 'manila' | 'sdrs', path: string): Promise<any> {
  const base = projects.get(name)!;
  const res = await request(`${sim(name).origin}${base}${path}`, { headers: { 'x-openstack-manila-api-version': '2.70', 'openstack-api-version': 'volume 3.70' } });
  return res.body.json();
}

describe('answers of another shape than the API documents', () => {
  it('Cinder group specs that are a string: UPSTREAM_ERROR, not one spec per character', async () => {
    sim('cinder').injectFault({ status: 200, json: { group_type: { id: SEED.groupTypes.generic, name: 'g', is_public: true, group_specs: 'abc' } }, methods: ['GET'], urlIncludes: `/group_types/${SEED.groupTypes.generic}` });
    const r = await f.gql(`{ groupType(id: "${SEED.groupTypes.generic}") { groupSpecs { key value } } }`);
    expect(r.data?.groupType, r.raw).toEqual({ groupSpecs: null });
    expect(codes(r)).toEqual(['UPSTREAM_ERROR']);
  });

  it('a Cinder group type show with an empty body: UPSTREAM_ERROR, not an internal error', async () => {
    sim('cinder').injectFault({ status: 200, text: '', methods: ['GET'], urlIncludes: `/group_types/${SEED.groupTypes.generic}` });
    const r = await f.gql(`{ groupType(id: "${SEED.groupTypes.generic}") { id } }`);
    expect(codes(r), r.raw).toEqual(['UPSTREAM_ERROR']);
  });

  it('Manila share group types without their list: UPSTREAM_ERROR, not an empty list', async () => {
    sim('manila').injectFault({ status: 200, json: {}, methods: ['GET'], urlIncludes: '/share-group-types' });
    const r = await f.gql('{ shareGroupTypes { id } }');
    expect(r.data?.shareGroupTypes, r.raw).toBeNull();
    expect(codes(r)).toEqual(['UPSTREAM_ERROR']);
  });

  it('unsetting specs of a Manila share group type answered without specs: UPSTREAM_ERROR, nothing removed', async () => {
    const id = SEED_IDS.shareGroupTypes.default;
    sim('manila').injectFault({ status: 200, json: { share_group_type: { id, name: 'default', is_public: true } }, methods: ['GET'], urlIncludes: `/share-group-types/${id}` });
    const r = await f.gql(`mutation { unsetShareGroupTypeSpecs(input: { id: "${id}", keys: ["k"] }) { shareGroupType { id } } }`);
    expect(codes(r), r.raw).toEqual(['UPSTREAM_ERROR']);
    expect(sim('manila').calls.filter((c) => c.method === 'DELETE')).toEqual([]);
  });

  it('Cinder groups whose volumes are not a list of ids: their volumes read from the listing instead', async () => {
    const page = await wire('cinder', '/groups/detail?list_volume=True&limit=5');
    const groups = page.groups.map((g: object) => ({ ...g, volumes: 'abc' }));
    sim('cinder').injectFault({ status: 200, json: { groups }, methods: ['GET'], urlIncludes: '/groups/detail', times: 6 });
    await f.gql('{ groups(first: 5) { nodes { id volumes { id } } } }'); // the page remembered: its volumes read by the groups' ids
    const r = await f.gql('{ groups(first: 5) { nodes { id volumes { id } } } }');
    expect(r.errors, r.raw).toBeUndefined();
    expect((r.data as any).groups.nodes.every((g: { volumes: unknown }) => Array.isArray(g.volumes))).toBe(true);
  });

  it('an SDRS counter of -1: left out, the listing counts (no START_PROTECTION for a group without pairs)', async () => {
    const { server_group } = await wire('sdrs', `/server-groups/${G.sandboxEmpty}`);
    sim('sdrs').injectFault({ status: 200, json: { server_group: { ...server_group, replication_num: -1 } }, methods: ['GET'], urlIncludes: `/server-groups/${G.sandboxEmpty}` });
    const d = await f.ok<any>(`{ protectionGroup(id: "${G.sandboxEmpty}") { allowedActions } }`);
    expect(d.protectionGroup.allowedActions).not.toContain('START_PROTECTION');
  });

  it('SDRS instance tags that are not a list: UPSTREAM_ERROR on the field, not an internal error', async () => {
    const { protected_instances } = await wire('sdrs', `/protected-instances?server_group_id=${G.erpProd}`);
    const instance = { ...protected_instances[0], tags: 'abc', fault_level: { toString: 1 } };
    sim('sdrs').injectFault({ status: 200, json: { protected_instance: instance }, methods: ['GET'], urlIncludes: `/protected-instances/${instance.id}` });
    const r = await f.gql(`{ protectedInstance(id: "${instance.id}") { id tags { key } } }`);
    expect(codes(r), r.raw).toEqual(['UPSTREAM_ERROR']);
  });
});

describe('an SDRS count that is no count', () => {
  it('-5 is no totalCount: as if none was sent', async () => {
    const page = await wire('sdrs', '/server-groups?limit=1000');
    sim('sdrs').injectFault({ status: 200, json: { ...page, count: -5 }, methods: ['GET'], urlIncludes: '/server-groups?' });
    const d = await f.ok<any>('{ protectionGroups(first: 100) { totalCount nodes { id } } }');
    expect([null, d.protectionGroups.nodes.length]).toContain(d.protectionGroups.totalCount);
  });
});
