// What a storage portal needs from Manila (issue 20), over the Manila simulator: shares and share networks to
// pick from, filling a share group, share group type administration, force-deleting a share group snapshot, the
// legacy cgsnapshot writes, quotas and zones. Upstream call counts are asserted (the N+1 guard); refusals carry
// one code per situation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { manilaQuotaFields, manilaZones } from '../../src/resolvers/manila/portal.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { restClient } from '../helpers/rest.js';

const OFF = { SDRS_URL: 'http://127.0.0.1:9/v1/x' };
const T = SEED_IDS.shareTypes;
const G = SEED_IDS.shareGroups;
const MEMBER = `member:${DEMO_PROJECT.id}`;

/** `METHOD /path?query` of each call since the last reset, without the `/v2/{project}` prefix. */
const lines = (f: Facade) => f.app.simulators.manila!.calls.map((c) => `${c.method} ${c.url.replace(/^\/v2\/[0-9a-f]+/, '')}`);

describe('Manila for a portal: reads', () => {
  let f: Facade;
  const sim = () => f.app.simulators.manila!;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 20, extraShareGroups: 40 } });
    await f.ok('{ shareTypes { id } }'); // version discovery happens once per process
  });
  afterAll(() => f.close());

  const PAGE = `query($n: Int, $f: ShareFilter) { shares(first: $n, filter: $f) { totalCount nodes {
    id name status rawStatus size protocol availabilityZone zone { name service available } projectId
    shareType { id name } shareNetwork { id name } shareGroup { id name shareGroupType { id } } } } }`;

  const counts: Record<number, number> = {};
  it.each([1, 10, 80])('a page of %i shares with type, network, group, group type and zone costs a flat number of calls', async (n) => {
    sim().resetCalls();
    const d = await f.ok<any>(PAGE, { n });
    expect(d.shares.nodes).toHaveLength(n);
    for (const s of d.shares.nodes) {
      expect(s.status).toBe(s.rawStatus.toUpperCase());
      expect(s.zone).toEqual({ name: 'nova', service: 'manila', available: true });
      if (s.shareGroup) expect(s.shareGroup.shareGroupType).not.toBeNull();
    }
    counts[n] = lines(f).length;
    // The page (and its count), share types, networks, share groups, share group types, zones; never one per share.
    expect(lines(f).length, lines(f).join('\n')).toBeLessThanOrEqual(8);
    expect(new Set(lines(f)).size, 'no request repeated').toBe(lines(f).length);
    // The shares come with the page; a link may cost one show when the whole page holds one id of its kind.
    expect(lines(f).filter((l) => /\/shares\/[0-9a-f-]{36}/.test(l))).toEqual([]);
    for (const kind of ['share-groups', 'share-group-types', 'types', 'share-networks']) {
      expect(lines(f).filter((l) => new RegExp(`^GET /${kind}/[0-9a-f-]{36}`).test(l)).length, kind).toBeLessThanOrEqual(1);
    }
  });

  it('the cost does not grow with N', () => {
    expect(counts[80]).toBeLessThanOrEqual(Math.max(counts[10] ?? 0, counts[1] ?? 0) + 1);
  });

  it('filters on the server with what a member may use, and pages by offset', async () => {
    sim().resetCalls();
    const byGroup = await f.ok<any>(PAGE, { f: { shareGroupId: G.dbCluster, status: 'AVAILABLE' } });
    expect(byGroup.shares.nodes.map((s: any) => s.name).sort()).toEqual(['db-config', 'db-data', 'db-wal']);
    expect(byGroup.shares.totalCount).toBe(3);
    expect(sim().calls.find((c) => c.path.endsWith('/shares/detail'))!.url).toMatch(new RegExp(`share_group_id=${G.dbCluster}.*status=available|status=available.*share_group_id=${G.dbCluster}`));
    const like = await f.ok<any>(PAGE, { f: { nameContains: 'web-', shareNetworkId: SEED_IDS.shareNetworks.prod, shareTypeId: T.goldDhss } });
    expect(like.shares.nodes.map((s: any) => s.name).sort()).toEqual(['web-cifs', 'web-static', 'web-uploads']);
    const pages: string[] = [];
    let after: string | null = null;
    do {
      const d: any = await f.ok(`query($a: String) { shares(first: 2, after: $a, filter: { nameContains: "db-" }) {
        edges { node { name } } pageInfo { hasNextPage endCursor } } }`, { a: after });
      pages.push(d.shares.edges.map((e: any) => e.node.name).join(','));
      after = d.shares.pageInfo.hasNextPage ? d.shares.pageInfo.endCursor : null;
    } while (after);
    expect(pages).toEqual(['db-config,db-wal', 'db-data']);
  });

  it('refuses what Manila would ignore or misread, before any call', async () => {
    sim().resetCalls();
    for (const [filter, code] of [
      [{ status: 'UNKNOWN' }, 'BAD_USER_INPUT'],
      [{ name: 'a', nameContains: 'b' }, 'BAD_USER_INPUT'],
      [{ shareGroupId: '../x' }, 'BAD_USER_INPUT'],
      [{ projectId: DEMO_PROJECT.id }, 'BAD_USER_INPUT'],
    ] as const) {
      const r = await f.gql('query($f: ShareFilter) { shares(filter: $f) { nodes { id } } }', { f: filter });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(filter)).toBe(code);
    }
    expect(sim().calls).toHaveLength(0);
  });

  it('lists share networks for a picker in one call, and links their subnets to zones', async () => {
    sim().resetCalls();
    const d = await f.ok<any>('{ shareNetworks { id name subnets { availabilityZone zone { name } } } }');
    expect(d.shareNetworks.map((n: any) => n.name).sort()).toEqual(['dev-net', 'prod-net']);
    expect(lines(f)).toEqual(['GET /share-networks/detail?limit=1000&offset=0']);
    const one = await f.ok<any>('{ shareNetworks(filter: { nameContains: "prod" }) { name } }');
    expect(one.shareNetworks).toEqual([{ name: 'prod-net' }]);
  });

  it('links share groups to their zone with one zone listing for the whole page', async () => {
    sim().resetCalls();
    const d = await f.ok<any>('{ shareGroups(first: 30) { nodes { availabilityZone zone { name service } } } }');
    expect(d.shareGroups.nodes.every((g: any) => g.zone?.name === g.availabilityZone || (g.availabilityZone === null && g.zone === null))).toBe(true);
    expect(lines(f).filter((l) => l.includes('availability-zones'))).toHaveLength(1);
  });

  it('quotas and zones for the portal root fields: one quota read and one zone read per request, -1 as a null limit', async () => {
    const rest = restClient(sim().endpoint, null, { 'x-openstack-manila-api-version': '2.73' });
    const before = (await rest('GET', `/quota-sets/${DEMO_PROJECT.id}`)).json.quota_set;
    await rest('PUT', `/quota-sets/${DEMO_PROJECT.id}`, { quota_set: { share_group_snapshots: -1 } });
    const wire = (await rest('GET', `/quota-sets/${DEMO_PROJECT.id}/detail`)).json.quota_set;
    const ctx = createContext(f.app.upstreams, { services: [] }, null);
    sim().resetCalls();
    const q = manilaQuotaFields;
    const [sg, sgs, shares, gb, zones, again] = await Promise.all([
      q.shareGroups({}, {}, ctx),
      q.shareGroupSnapshots({}, {}, ctx),
      q.shares({}, {}, ctx),
      q.shareGigabytes({}, {}, ctx),
      manilaZones(ctx),
      manilaZones(ctx),
    ]);
    // Manila's defaults (50 share groups and shares, 1000 GiB), raised by what the 40 generated groups hold.
    expect(sg).toEqual({ limit: 90, inUse: wire.share_groups.in_use, reserved: 0 });
    expect(wire.share_groups.in_use).toBeGreaterThan(40);
    expect(sgs).toEqual({ limit: null, inUse: wire.share_group_snapshots.in_use, reserved: 0 });
    expect(shares).toEqual({ limit: 130, inUse: wire.shares.in_use, reserved: 0 });
    expect(gb).toEqual({ limit: 1080, inUse: wire.gigabytes.in_use, reserved: 0 });
    expect(zones).toEqual([{ name: 'nova', service: 'manila', available: true }]);
    expect(again).toEqual(zones);
    expect(lines(f).sort()).toEqual(['GET /availability-zones', `GET /quota-sets/${DEMO_PROJECT.id}/detail`]);
    await rest('PUT', `/quota-sets/${DEMO_PROJECT.id}`, { quota_set: { share_group_snapshots: before.share_group_snapshots } });
  });

  it('share group quotas below Manila 2.40 are NOT_SUPPORTED, share quotas still answer', async () => {
    const old = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { maxVersion: '2.39', transitionMs: 20 } });
    try {
      const ctx = createContext(old.app.upstreams, { services: [] }, null);
      await expect(manilaQuotaFields.shareGroups({}, {}, ctx)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/from API 2\.40; this Manila supports up to 2\.39/) });
      await expect(manilaQuotaFields.shares({}, {}, ctx)).resolves.toMatchObject({ limit: 50 });
    } finally {
      await old.close();
    }
  });
});

describe('Manila for a portal: filling a share group', () => {
  let f: Facade;
  const sim = () => f.app.simulators.manila!;

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 5_000 } });
  });
  afterAll(() => f.close());

  const CREATE = `mutation($i: CreateShareInput!) { createShare(input: $i) { share {
    id name status size protocol availabilityZone shareType { id } shareNetwork { id } shareGroup { id shares { id } } } } }`;

  it('creates a share into a group, taking the group\'s network and only share type, and the group lists it', async () => {
    sim().resetCalls();
    const d = await f.ok<any>(CREATE, { i: { name: 'db-logs', size: 2, shareProtocol: 'NFS', shareGroupId: G.dbCluster } });
    const s = d.createShare.share;
    expect(s).toMatchObject({
      name: 'db-logs', status: 'CREATING', size: 2, protocol: 'NFS', availabilityZone: 'nova',
      shareType: { id: T.goldDhss }, shareNetwork: { id: SEED_IDS.shareNetworks.prod }, shareGroup: { id: G.dbCluster },
    });
    expect(s.shareGroup.shares.map((x: any) => x.id)).toContain(s.id);
    const post = sim().calls.find((c) => c.method === 'POST')!;
    expect(JSON.parse(post.body)).toEqual({
      share: { size: 2, share_proto: 'NFS', name: 'db-logs', share_type: T.goldDhss, share_network_id: SEED_IDS.shareNetworks.prod, share_group_id: G.dbCluster },
    });
  });

  it('creates a share on its own, which a share service then makes available', async () => {
    const d = await f.ok<any>(CREATE, { i: { name: 'scratch', size: 1, shareProtocol: 'CIFS', shareTypeId: T.defaultNfs } });
    expect(d.createShare.share).toMatchObject({ status: 'CREATING', protocol: 'CIFS', availabilityZone: null, shareGroup: null });
  });

  it('refuses a group that is not AVAILABLE with CONFLICT, before asking Manila to create anything', async () => {
    sim().resetCalls();
    const r = await f.gql(CREATE, { i: { size: 1, shareProtocol: 'NFS', shareGroupId: G.analytics } });
    expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(r.errors?.[0]?.message).toMatch(/is ERROR: a share can join it only while it is AVAILABLE/);
    expect(sim().calls.filter((c) => c.method === 'POST')).toEqual([]);
    const missing = await f.gql(CREATE, { i: { size: 1, shareProtocol: 'NFS', shareGroupId: crypto.randomUUID() } });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const bad = await f.gql(CREATE, { i: { size: 0, shareProtocol: 'NFS' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('deletes a share of a group with the group\'s id; a share still being created is CONFLICT with Manila\'s 403 behind it', async () => {
    const made = await f.ok<any>(CREATE, { i: { size: 1, shareProtocol: 'NFS', shareGroupId: G.emptyAvailable } });
    const id = made.createShare.share.id;
    const rest = restClient(sim().endpoint, null, { 'x-openstack-manila-api-version': '2.73' });
    // Held in `creating` (reset_status stops the simulated share service from finishing it).
    await rest('POST', `/shares/${id}/action`, { reset_status: { status: 'creating' } });
    const busy = await f.gql(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id } }`, { id });
    expect(busy.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 403 } });
    expect(busy.errors?.[0]?.message).toMatch(/cannot be deleted now: it must be AVAILABLE, ERROR or INACTIVE/);
    expect(busy.raw).not.toMatch(/%\(/);
    await rest('POST', `/shares/${id}/action`, { reset_status: { status: 'available' } });
    sim().resetCalls();
    const del = await f.ok<any>(`mutation($id: ID!) { deleteShare(input: { id: $id }) { id share { id status } } }`, { id });
    expect(del.deleteShare).toEqual({ id, share: { id, status: 'DELETING' } });
    expect(lines(f)).toContain(`DELETE /shares/${id}?share_group_id=${G.emptyAvailable}`);
  });

  it('a member may create and delete shares but not administer share group types: Manila\'s 403 is FORBIDDEN', async () => {
    const d = await f.ok<any>(CREATE, { i: { size: 1, shareProtocol: 'NFS', shareTypeId: T.defaultNfs } }, { token: MEMBER });
    expect(d.createShare.share.status).toBe('CREATING');
    const r = await f.gql(`mutation($t: [ID!]!) { createShareGroupType(input: { name: "member-sgt", shareTypeIds: $t }) { shareGroupType { id } } }`,
      { t: [T.defaultNfs] }, { token: MEMBER });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', upstream: { service: 'manila', status: 403 } });
  });

  it.each(['../../x', 'detail', 'a/b', 'x'.repeat(200)])('refuses the hostile id %j in every new mutation before any upstream call', async (id) => {
    sim().resetCalls();
    for (const m of [
      `deleteShare(input: { id: $id }) { id }`,
      `forceDeleteShareGroupSnapshot(input: { id: $id }) { id }`,
      `deleteShareGroupType(input: { id: $id }) { id }`,
      `setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "a", value: "b" }] }) { shareGroupType { id } }`,
      `unsetShareGroupTypeSpecs(input: { id: $id, keys: ["a"] }) { shareGroupType { id } }`,
      `addShareGroupTypeAccess(input: { id: $id, projectId: "${DEMO_PROJECT.id}" }) { projectIds }`,
      `createShare(input: { size: 1, shareProtocol: NFS, shareGroupId: $id }) { share { id } }`,
      `createShare(input: { size: 1, shareProtocol: NFS, shareTypeId: $id }) { share { id } }`,
      `createShareGroupType(input: { name: "x", shareTypeIds: [$id] }) { shareGroupType { id } }`,
    ]) {
      const r = await f.gql(`mutation($id: ID!) { ${m} }`, { id });
      expect(r.errors?.[0]?.extensions?.code, m).toBe('BAD_USER_INPUT');
    }
    expect(sim().calls).toHaveLength(0);
  });

  it('force-deletes a share group snapshot in any state', async () => {
    const snap = SEED_IDS.shareGroupSnapshots.dbFailed;
    const d = await f.ok<any>(`mutation($id: ID!) { forceDeleteShareGroupSnapshot(input: { id: $id }) { id shareGroupSnapshot { id } } }`, { id: snap });
    expect(d.forceDeleteShareGroupSnapshot).toEqual({ id: snap, shareGroupSnapshot: null });
    expect((await f.ok<any>(`query($id: ID!) { shareGroupSnapshot(id: $id) { id } }`, { id: snap })).shareGroupSnapshot).toBeNull();
  });
});

describe('Manila for a portal: share group type administration', () => {
  let f: Facade;
  const sim = () => f.app.simulators.manila!;
  const TYPE = 'shareGroupType { id name isPublic groupSpecs { key value } shareTypes { id } }';

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 20 } });
  });
  afterAll(() => f.close());

  it('creates a private type, sets and unsets specs, shares it with a project and takes it back, then deletes it', async () => {
    const created = await f.ok<any>(`mutation($t: [ID!]!) { createShareGroupType(input: { name: "gold-groups", shareTypeIds: $t, isPublic: false,
      groupSpecs: [{ key: "consistent_snapshot_support", value: "pool" }] }) { ${TYPE} } }`, { t: [T.goldDhss] });
    const t = created.createShareGroupType.shareGroupType;
    expect(t).toEqual({ id: expect.any(String), name: 'gold-groups', isPublic: false, groupSpecs: [{ key: 'consistent_snapshot_support', value: 'pool' }], shareTypes: [{ id: T.goldDhss }] });

    const set = await f.ok<any>(`mutation($id: ID!) { setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }) { ${TYPE} } }`, { id: t.id });
    expect(set.setShareGroupTypeSpecs.shareGroupType.groupSpecs).toHaveLength(3);
    sim().resetCalls();
    const unset = await f.ok<any>(`mutation($id: ID!) { unsetShareGroupTypeSpecs(input: { id: $id, keys: ["a", "b"] }) { ${TYPE} } }`, { id: t.id });
    expect(unset.unsetShareGroupTypeSpecs.shareGroupType.groupSpecs).toEqual([{ key: 'consistent_snapshot_support', value: 'pool' }]);
    // The type read (to refuse absent keys), one DELETE per key, the type read again.
    expect(lines(f).filter((l) => l.includes('share-group-types'))).toEqual([
      `GET /share-group-types/${t.id}`, `DELETE /share-group-types/${t.id}/group-specs/a`, `DELETE /share-group-types/${t.id}/group-specs/b`, `GET /share-group-types/${t.id}`,
    ]);
    sim().resetCalls();
    const absent = await f.gql(`mutation($id: ID!) { unsetShareGroupTypeSpecs(input: { id: $id, keys: ["zzz", "consistent_snapshot_support"] }) { shareGroupType { id } } }`, { id: t.id });
    expect(absent.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(lines(f).filter((l) => l.startsWith('DELETE'))).toEqual([]);

    const beta = '5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e';
    const added = await f.ok<any>(`mutation($id: ID!, $p: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds shareGroupType { id } } }`, { id: t.id, p: beta });
    expect(added.addShareGroupTypeAccess).toEqual({ projectIds: [beta], shareGroupType: { id: t.id } });
    const again = await f.gql(`mutation($id: ID!, $p: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds } }`, { id: t.id, p: beta });
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const removed = await f.ok<any>(`mutation($id: ID!, $p: ID!) { removeShareGroupTypeAccess(input: { id: $id, projectId: $p }) { projectIds } }`, { id: t.id, p: beta });
    expect(removed.removeShareGroupTypeAccess.projectIds).toEqual([]);
    const badProject = await f.gql(`mutation($id: ID!) { removeShareGroupTypeAccess(input: { id: $id, projectId: "x/../y" }) { projectIds } }`, { id: t.id });
    expect(badProject.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const del = await f.ok<any>(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: t.id });
    expect(del.deleteShareGroupType.id).toBe(t.id);
    expect((await f.ok<any>(`query($id: ID!) { shareGroupType(id: $id) { id } }`, { id: t.id })).shareGroupType).toBeNull();
  });

  it('a type that share groups use is CONFLICT (Manila says 400), a public type\'s access CONFLICT, a duplicate name CONFLICT', async () => {
    const inUse = await f.gql(`mutation($id: ID!) { deleteShareGroupType(input: { id: $id }) { id } }`, { id: SEED_IDS.shareGroupTypes.default });
    expect(inUse.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'manila', status: 400 } });
    expect(inUse.errors?.[0]?.message).toMatch(/is still in use/);
    const pub = await f.gql(`mutation($id: ID!) { addShareGroupTypeAccess(input: { id: $id, projectId: "${DEMO_PROJECT.id}" }) { projectIds } }`, { id: SEED_IDS.shareGroupTypes.default });
    expect(pub.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const dup = await f.gql(`mutation($t: [ID!]!) { createShareGroupType(input: { name: "default_group_type", shareTypeIds: $t }) { shareGroupType { id } } }`, { t: [T.defaultNfs] });
    expect(dup.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(dup.raw).not.toMatch(/%\(/);
  });
});

describe('Manila for a portal: legacy consistency group snapshots', () => {
  it('on a Manila below 2.31: create, update, reset, delete and force-delete cgsnapshots', async () => {
    const f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { legacy: true, transitionMs: 5_000 } });
    try {
      const C = SEED_IDS.consistencyGroups;
      const made = await f.ok<any>(`mutation($g: ID!) { createConsistencyGroupSnapshot(input: { consistencyGroupId: $g, name: "cgs-new" }) {
        consistencyGroupSnapshot { id name status consistencyGroup { id snapshots { id } } members { share { name } } } } }`, { g: C.legacyDb });
      const s = made.createConsistencyGroupSnapshot.consistencyGroupSnapshot;
      expect(s).toMatchObject({ name: 'cgs-new', status: 'CREATING', consistencyGroup: { id: C.legacyDb } });
      expect(s.consistencyGroup.snapshots.map((x: any) => x.id)).toContain(s.id);
      expect(s.members.map((m: any) => m.share.name).sort()).toEqual(['legacy-db-data', 'legacy-db-wal']);
      const upd = await f.ok<any>(`mutation($id: ID!) { updateConsistencyGroupSnapshot(input: { id: $id, description: "d" }) { consistencyGroupSnapshot { description } } }`, { id: s.id });
      expect(upd.updateConsistencyGroupSnapshot.consistencyGroupSnapshot.description).toBe('d');
      const reset = await f.ok<any>(`mutation($id: ID!) { resetConsistencyGroupSnapshotStatus(input: { id: $id, status: CREATING }) { consistencyGroupSnapshot { status } } }`, { id: s.id });
      expect(reset.resetConsistencyGroupSnapshotStatus.consistencyGroupSnapshot.status).toBe('CREATING');
      const busy = await f.gql(`mutation($id: ID!) { deleteConsistencyGroupSnapshot(input: { id: $id }) { id } }`, { id: s.id });
      expect(busy.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      const forced = await f.ok<any>(`mutation($id: ID!) { forceDeleteConsistencyGroupSnapshot(input: { id: $id }) { id consistencyGroupSnapshot { id } } }`, { id: s.id });
      expect(forced.forceDeleteConsistencyGroupSnapshot).toEqual({ id: s.id, consistencyGroupSnapshot: null });
      const del = await f.ok<any>(`mutation($id: ID!) { deleteConsistencyGroupSnapshot(input: { id: $id }) { id consistencyGroupSnapshot { status } } }`, { id: SEED_IDS.cgSnapshots.legacyDbSnap });
      expect(del.deleteConsistencyGroupSnapshot.consistencyGroupSnapshot).toEqual({ status: 'DELETING' });
      const missing = await f.gql(`mutation($g: ID!) { createConsistencyGroupSnapshot(input: { consistencyGroupId: $g }) { consistencyGroupSnapshot { id } } }`, { g: crypto.randomUUID() });
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const cgCalls = f.app.simulators.manila!.calls.filter((x) => x.path.includes('cgsnapshots'));
      expect(cgCalls.length).toBeGreaterThan(5);
      for (const c of cgCalls) expect(c.headers['x-openstack-manila-api-experimental']).toBe('True');
      // Such a Manila would drop a share_group_id filter and list every share.
      f.app.simulators.manila!.resetCalls();
      const byGroup = await f.gql(`query($g: ID!) { shares(filter: { shareGroupId: $g }) { nodes { id } } }`, { g: C.legacyDb });
      expect(byGroup.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
      expect(f.app.simulators.manila!.calls).toHaveLength(0);
    } finally {
      await f.close();
    }
  });

  it('on Zed they answer NOT_SUPPORTED with no call beyond version discovery', async () => {
    const f = await startFacade({ SIMULATE: 'manila', ...OFF }, { manila: { transitionMs: 20 } });
    try {
      const id = SEED_IDS.shareGroups.dbCluster;
      for (const m of [
        `createConsistencyGroupSnapshot(input: { consistencyGroupId: "${id}" }) { consistencyGroupSnapshot { id } }`,
        `updateConsistencyGroupSnapshot(input: { id: "${id}", name: "x" }) { consistencyGroupSnapshot { id } }`,
        `deleteConsistencyGroupSnapshot(input: { id: "${id}" }) { id }`,
        `resetConsistencyGroupSnapshotStatus(input: { id: "${id}", status: ERROR }) { consistencyGroupSnapshot { id } }`,
        `forceDeleteConsistencyGroupSnapshot(input: { id: "${id}" }) { id }`,
      ]) {
        const r = await f.gql(`mutation { ${m} }`);
        expect(r.errors?.map((e) => e.extensions?.code), m).toEqual(['NOT_SUPPORTED']);
        expect(r.errors?.[0]?.message).toMatch(/share groups/);
      }
      expect(lines(f)).toEqual(['GET /']);
    } finally {
      await f.close();
    }
  });
});
