// Issue 20 on the Cinder simulator: what a storage portal's forms need (volumes, volume types, the default group
// type, zones and quotas), filling groups with new volumes, group type administration, the volume snapshots of
// group snapshots, sorted group listings, and one code per situation (a wrong state is CONFLICT). Every test
// counts the upstream calls it causes.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createContext } from '../../src/context.js';
import { cinderQuotaFields, cinderZoneNamed, cinderZones } from '../../src/resolvers/cinder/portal.js';
import { type CinderState, SEED } from '../../src/simulator/cinder/index.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { CollectionSizes, collectionSizes } from '../../src/upstreams/loaders.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';

const member = `member:${DEMO_PROJECT.id}`;

/** The facade's embedded Cinder simulator, with its state (the app types it without). */
const cinderOf = (f: Facade) => f.app.simulators.cinder! as NonNullable<Facade['app']['simulators']['cinder']> & { state: CinderState };

describe('Cinder portal pickers, quotas and zones', () => {
  let f: Facade;
  const calls = () => cinderOf(f).calls.map((c) => `${c.method} ${decodeURIComponent(c.url.replace(/^.*\/v3\/[0-9a-f]+/, ''))}`);
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 30 } });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
  });
  afterAll(() => f.close());

  it('a "create group" form (types, default type, zones, quotas, groups) is one request with one call per kind of thing', async () => {
    cinderOf(f).resetCalls();
    const d = await f.ok<any>(
      `{ groupTypes { id name } defaultGroupType { id name } volumeTypes { id name isPublic }
         availabilityZones { name service available }
         quotas { groups { limit inUse } groupSnapshots { limit inUse } volumes { limit inUse } gigabytes { limit inUse } }
         groups(first: 5) { nodes { name zone { name available } groupType { name } volumeTypes { name } } } }`,
      undefined,
      { token: member },
    );
    expect(d.defaultGroupType).toEqual({ id: SEED.groupTypes.generic, name: 'generic' });
    expect(d.volumeTypes.map((t: any) => t.name)).toEqual(expect.arrayContaining(['ssd-replicated', 'hdd-standard', 'nvme-fast']));
    expect(d.groups.nodes[0].zone).toEqual({ name: 'nova', available: true });
    expect(d.availabilityZones).toContainEqual({ name: 'nova', service: 'cinder', available: true });
    expect(d.quotas.groups).toEqual({ limit: 50, inUse: 5 });
    expect(d.quotas.groupSnapshots).toEqual({ limit: null, inUse: 4 });
    const list = calls();
    expect(list.filter((c) => c.startsWith('GET /os-quota-sets/'))).toHaveLength(1);
    expect(list.filter((c) => c.startsWith('GET /group_snapshots?'))).toHaveLength(1);
    expect(list.filter((c) => c.startsWith('GET /group_types?')), list.join('\n')).toHaveLength(1);
    expect(list.filter((c) => c.startsWith('GET /types?'))).toHaveLength(1);
    expect(list.filter((c) => c.startsWith('GET /group_types/default'))).toHaveLength(1);
    expect(list.filter((c) => c.startsWith('GET /os-availability-zone'))).toHaveLength(1);
    expect(new Set(list).size, 'no call repeated').toBe(list.length);
  });

  it('quotas and zones: one read each per request, -1 read as no limit, and no group-snapshot quota in Cinder', async () => {
    const sim = cinderOf(f);
    sim.state.quotaLimits.set(DEMO_PROJECT.id, { ...sim.state.quotaLimits.get(DEMO_PROJECT.id), gigabytes: -1 });
    const ctx = createContext(f.app.upstreams, { services: [] }, member);
    sim.resetCalls();
    const [groups, volumes, gigabytes, groupSnapshots, again, zones, zone] = await Promise.all([
      cinderQuotaFields.groups(null, {}, ctx),
      cinderQuotaFields.volumes(null, {}, ctx),
      cinderQuotaFields.gigabytes(null, {}, ctx),
      cinderQuotaFields.groupSnapshots(null, {}, ctx),
      cinderQuotaFields.groups(null, {}, ctx),
      cinderZones(ctx),
      cinderZoneNamed(ctx, 'nova'),
    ]);
    const state = sim.state;
    const mine = <T extends { project_id: string }>(rows: Map<string, T>) => [...rows.values()].filter((r) => r.project_id === DEMO_PROJECT.id);
    expect(groups).toEqual({ limit: 50, inUse: mine(state.groups).length, reserved: 0 });
    expect(again).toEqual(groups);
    expect(volumes).toEqual({ limit: 100, inUse: mine(state.volumes).length, reserved: 0 });
    expect(gigabytes.limit).toBeNull();
    expect(groupSnapshots).toEqual({ limit: null, inUse: mine(state.groupSnapshots).length, reserved: 0 });
    expect(zones).toEqual([{ name: 'nova', service: 'cinder', available: true }]);
    expect(zone).toEqual(zones[0]);
    expect(await cinderZoneNamed(ctx, 'elsewhere')).toBeNull();
    expect(calls().sort()).toEqual(['GET /group_snapshots?limit=1000', 'GET /os-availability-zone', `GET /os-quota-sets/${DEMO_PROJECT.id}?usage=True`]);
  });

  it('a member\'s volume listing with every filter it may use draws no refusal; pages are flat and counted by Cinder', async () => {
    cinderOf(f).resetCalls();
    const d = await f.ok<any>(
      `query($g: ID!) { volumes(filter: { groupId: $g, status: "available", availabilityZone: "nova", bootable: false }) {
        totalCount nodes { id name status group { id name } volumeType { name } zone { name } } } }`,
      { g: SEED.groups.dbClusterProd },
      { token: member },
    );
    expect(d.volumes.nodes.map((v: any) => v.name).sort()).toEqual(['db-data', 'db-wal']);
    expect(d.volumes.totalCount).toBe(2);
    expect(d.volumes.nodes[0].group.name).toBe('db-cluster-prod');
    // The page, the group (one show), the volume types listing, the zones.
    expect(calls().length, calls().join('\n')).toBeLessThanOrEqual(4);
    const byName = await f.ok<any>('{ volumes(filter: { name: "spare-hdd" }) { nodes { id } } }', undefined, { token: member });
    expect(byName.volumes.nodes).toEqual([{ id: SEED.volume(9) }]);
  });

  it('pages volumes with cursors, each once; totalCount past the first page is one counted call of one item', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let total = 0;
    do {
      cinderOf(f).resetCalls();
      const d: any = await f.ok(
        'query($a: String) { volumes(first: 3, after: $a) { totalCount nodes { id } pageInfo { hasNextPage endCursor hasPreviousPage } } }',
        { a: after },
      );
      if (after) expect(calls()).toContain('GET /volumes/detail?with_count=true&limit=1');
      seen.push(...d.volumes.nodes.map((v: any) => v.id));
      total = d.volumes.totalCount;
      expect(d.volumes.pageInfo.hasPreviousPage).toBe(after !== null);
      after = d.volumes.pageInfo.hasNextPage ? d.volumes.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(total);
    expect(seen).toEqual(expect.arrayContaining([SEED.volume(1), SEED.volume(10)]));
  });

  it('refuses a hostile groupId filter and a projectId without allProjects before any call', async () => {
    cinderOf(f).resetCalls();
    const r1 = await f.gql('{ volumes(filter: { groupId: "detail" }) { nodes { id } } }');
    const r2 = await f.gql(`{ volumes(filter: { projectId: "${DEMO_PROJECT.id}" }) { nodes { id } } }`);
    expect(r1.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r2.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
  });
});

describe('filling groups: createVolume and deleteVolume', () => {
  let f: Facade;
  const sim = () => cinderOf(f);
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 30 } });
  });
  afterAll(() => f.close());

  const CREATE = `mutation($in: CreateVolumeInput!) { createVolume(input: $in) {
    volume { id name size status availabilityZone group { id } volumeType { id } } } }`;

  it('creates a volume into a group (3.13 group_id), re-read, and the group lists it once it is available', async () => {
    const gid = SEED.groups.emptyStaging;
    sim().resetCalls();
    const d = await f.ok<any>(CREATE, {
      in: { name: 'new-in-group', size: 3, groupId: gid, volumeTypeId: SEED.volumeTypes.nvmeFast, availabilityZone: 'ignored' },
    });
    expect(['creating', 'available']).toContain(d.createVolume.volume.status);
    expect(d.createVolume.volume).toMatchObject({
      name: 'new-in-group',
      size: 3,
      availabilityZone: 'nova',
      group: { id: gid },
      volumeType: { id: SEED.volumeTypes.nvmeFast },
    });
    const post = sim().calls.find((c) => c.method === 'POST')!;
    expect(JSON.parse(post.body)).toEqual({
      volume: { size: 3, name: 'new-in-group', volume_type: SEED.volumeTypes.nvmeFast, group_id: gid, availability_zone: 'ignored' },
    });
    const g = await waitFor(
      () => f.ok<any>('query($id: ID!) { group(id: $id) { volumes { id status } } }', { id: gid }),
      (r) => r.group.volumes.length === 1 && r.group.volumes[0].status === 'available',
      3_000,
      20,
    );
    expect(g.group.volumes[0].id).toBe(d.createVolume.volume.id);
  });

  it('a group in the wrong state is CONFLICT with Cinder\'s message; a type the group does not support is BAD_USER_INPUT', async () => {
    const gid = SEED.groups.analyticsScratch; // status error
    const r = await f.gql(CREATE, { in: { size: 1, groupId: gid, volumeTypeId: SEED.volumeTypes.hddStandard } });
    expect(r.errors?.[0]).toMatchObject({
      message: "Invalid Group: Originating group status must be one of 'available, creating' values",
      extensions: { code: 'CONFLICT', upstream: { service: 'cinder', status: 400 } },
    });
    const bad = await f.gql(CREATE, { in: { size: 1, groupId: SEED.groups.webTier, volumeTypeId: SEED.volumeTypes.ssdReplicated } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/requested type must be supported by this group/);
  });

  it('checks ids and size before any call', async () => {
    sim().resetCalls();
    for (const input of [
      { size: 1, groupId: '../x' },
      { size: 1, volumeTypeId: 'default' },
      { size: 0 },
    ]) {
      const r = await f.gql(CREATE, { in: input });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect((await f.gql('mutation { deleteVolume(input: { id: "detail" }) { id } }')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sim().calls).toEqual([]);
  });

  it('deletes a volume (re-read: deleting or gone); one in a group is CONFLICT', async () => {
    const made = await f.ok<any>(CREATE, { in: { name: 'short-lived', size: 1 } });
    const id = made.createVolume.volume.id;
    await waitFor(
      () => f.ok<any>('query($id: ID!) { volume(id: $id) { status } }', { id }),
      (r) => r.volume.status === 'available',
      3_000,
      20,
    );
    const del = await f.ok<any>('mutation($id: ID!) { deleteVolume(input: { id: $id }) { id volume { status } } }', { id });
    expect(del.deleteVolume.id).toBe(id);
    // Re-read: deleting, or already gone (null) when the simulated volume service was quicker than the re-read.
    if (del.deleteVolume.volume) expect(del.deleteVolume.volume).toEqual({ status: 'deleting' });
    await waitFor(() => f.gql('query($id: ID!) { volume(id: $id) { id } }', { id }), (r) => r.data?.volume === null, 3_000, 20);
    const refused = await f.gql('mutation($id: ID!) { deleteVolume(input: { id: $id }) { id } }', { id: SEED.volume(4) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0]?.message).toMatch(/^Invalid volume: Volume status must be .* belong to a group/);
  });
});

describe('group type administration', () => {
  let f: Facade;
  const sim = () => cinderOf(f);
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 30 } });
  });
  afterAll(() => f.close());

  it('creates, updates, sets and unsets specs, and deletes a group type, each payload re-read', async () => {
    const made = await f.ok<any>(
      `mutation { createGroupType(input: { name: "portal-gt", description: "first", groupSpecs: [{ key: "consistent_group_snapshot_enabled", value: "<is> True" }] }) {
        groupType { id name description isPublic groupSpecs { key value } } } }`,
    );
    const gt = made.createGroupType.groupType;
    expect(gt).toMatchObject({ name: 'portal-gt', description: 'first', isPublic: true });
    expect(gt.groupSpecs).toEqual([{ key: 'consistent_group_snapshot_enabled', value: '<is> True' }]);
    const upd = await f.ok<any>(
      'mutation($id: ID!) { updateGroupType(input: { id: $id, name: "portal-gt2", isPublic: false }) { groupType { name isPublic description } } }',
      { id: gt.id },
    );
    expect(upd.updateGroupType.groupType).toEqual({ name: 'portal-gt2', isPublic: false, description: 'first' });
    const set = await f.ok<any>(
      'mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }) { groupType { groupSpecs { key } } } }',
      { id: gt.id },
    );
    expect(set.setGroupTypeSpecs.groupType.groupSpecs.map((s: any) => s.key).sort()).toEqual(['a', 'b', 'consistent_group_snapshot_enabled']);
    sim().resetCalls();
    const unset = await f.ok<any>(
      'mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: ["a", "b"] }) { groupType { groupSpecs { key } } } }',
      { id: gt.id },
    );
    expect(unset.unsetGroupTypeSpecs.groupType.groupSpecs).toEqual([{ key: 'consistent_group_snapshot_enabled' }]);
    // The type is read first: a key it lacks is refused before any DELETE.
    expect(sim().calls.map((c) => `${c.method} ${c.path.replace(/^.*\/group_types/, '')}`)).toEqual([
      `GET /${gt.id}`,
      `DELETE /${gt.id}/group_specs/a`,
      `DELETE /${gt.id}/group_specs/b`,
      `GET /${gt.id}`,
    ]);
    const missing = await f.gql('mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: ["a"] }) { groupType { id } } }', { id: gt.id });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const del = await f.ok<any>('mutation($id: ID!) { deleteGroupType(input: { id: $id }) { id groupType { id } } }', { id: gt.id });
    expect(del.deleteGroupType).toEqual({ id: gt.id, groupType: null });
  });

  it('a member gets FORBIDDEN from Cinder itself; a type in use is CONFLICT; a name taken is CONFLICT', async () => {
    sim().resetCalls();
    const r = await f.gql('mutation { createGroupType(input: { name: "not-mine" }) { groupType { id } } }', undefined, { token: member });
    expect(r.errors?.[0]).toMatchObject({
      message: "Policy doesn't allow group:group_types:create to be performed.",
      extensions: { code: 'FORBIDDEN', upstream: { service: 'cinder', status: 403 } },
    });
    expect(sim().calls.filter((c) => c.method === 'POST')).toHaveLength(1);
    const inUse = await f.gql('mutation($id: ID!) { deleteGroupType(input: { id: $id }) { id } }', { id: SEED.groupTypes.generic });
    expect(inUse.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(inUse.errors?.[0]?.message).toMatch(/^Target group type is still in use\./);
    const taken = await f.gql('mutation($id: ID!) { updateGroupType(input: { id: $id, name: "generic" }) { groupType { id } } }', {
      id: SEED.groupTypes.consistentSnapshot,
    });
    expect(taken.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('checks ids, spec keys and empty changes before any call', async () => {
    sim().resetCalls();
    const id = SEED.groupTypes.generic;
    for (const [q, v] of [
      ['mutation($id: ID!) { updateGroupType(input: { id: $id }) { groupType { id } } }', { id }],
      ['mutation { deleteGroupType(input: { id: "default" }) { id } }', {}],
      ['mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "a b", value: "1" }] }) { groupType { id } } }', { id }],
      ['mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "a", value: "1" }, { key: "a", value: "2" }] }) { groupType { id } } }', { id }],
      ['mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: ["../x"] }) { groupType { id } } }', { id }],
      ['mutation($id: ID!) { unsetGroupTypeSpecs(input: { id: $id, keys: [] }) { groupType { id } } }', { id }],
    ] as const) {
      const r = await f.gql(q, v);
      expect(r.errors?.[0]?.extensions?.code, q).toBe('BAD_USER_INPUT');
    }
    expect(sim().calls).toEqual([]);
  });

  it('defaultGroupType is null when Cinder has none configured', async () => {
    const before = sim().state.defaultGroupTypeId;
    sim().state.defaultGroupTypeId = null;
    try {
      const r = await f.gql('{ defaultGroupType { id } }');
      expect(r.errors).toBeUndefined();
      expect(r.data).toEqual({ defaultGroupType: null });
    } finally {
      sim().state.defaultGroupTypeId = before;
    }
  });
});

describe('GroupSnapshot.volumeSnapshots', () => {
  let f: Facade;
  const sim = () => cinderOf(f);
  const paths = () => sim().calls.map((c) => decodeURIComponent(c.url.replace(/^.*\/v3\/[0-9a-f]+/, '')));
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 30, extraGroups: 60 } });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
  });
  afterAll(() => f.close());

  const PAGE = `query($n: Int) { groupSnapshots(first: $n) { nodes { id
    volumeSnapshots { id name size status progress projectId groupSnapshot { id } volume { id name group { id } } } } } }`;

  it.each([1, 4, 60])('a page of %i group snapshots with their volume snapshots and volumes costs a flat number of calls', async (n) => {
    sim().resetCalls();
    const d = await f.ok<any>(PAGE, { n }, { token: member });
    expect(d.groupSnapshots.nodes).toHaveLength(n);
    for (const gs of d.groupSnapshots.nodes) {
      expect(gs.volumeSnapshots.length).toBeGreaterThan(0);
      for (const s of gs.volumeSnapshots) {
        expect(s.groupSnapshot.id).toBe(gs.id);
        expect(s.volume).not.toBeNull();
        expect(s.projectId).toBe(DEMO_PROJECT.id);
      }
    }
    const list = paths().filter((p) => p !== '/'); // the member's client reads the version document once
    // The page and one snapshot listing (no per-group-snapshot filter: a member may not use it) whatever n is; the
    // volumes and their groups are a listing each, or a show each where the listing would be over budget (n = 1).
    expect(list.filter((p) => p.startsWith('/snapshots')), list.join('\n')).toEqual(['/snapshots/detail?limit=1000']);
    expect(list.filter((p) => p.startsWith('/group_snapshots'))).toHaveLength(1);
    expect(list.length, list.join('\n')).toBeLessThanOrEqual(n === 1 ? 6 : 4);
  });

  it('a seeded group snapshot\'s volume snapshots link back to its volumes', async () => {
    const d = await f.ok<any>(
      'query($id: ID!) { groupSnapshot(id: $id) { volumeSnapshots { id name status volume { name } } } }',
      { id: SEED.groupSnapshots.dbNightly },
    );
    expect(d.groupSnapshot.volumeSnapshots.map((s: any) => s.volume.name).sort()).toEqual(['db-config', 'db-data', 'db-wal']);
    expect(d.groupSnapshot.volumeSnapshots.every((s: any) => s.name === 'db-nightly-2025-11-30' && s.status === 'AVAILABLE')).toBe(true);
  });

  it('in a project known to be too large for one listing: an admin filters per group snapshot, a member is refused once and then reads the listing', async () => {
    const tokens = { admin: `admin:${DEMO_PROJECT.id}`, member };
    // The demo project's volume snapshot listing, as if found over budget by any of its callers.
    const sizeKey = CollectionSizes.ofProject('cinder', 'snapshots', f.app.simulators.cinder!.endpoint, { token: member, requestId: 'test' });
    collectionSizes.record(sizeKey, 50_000);
    onTestFinished(() => collectionSizes.forget(sizeKey));
    const q = `{ groupSnapshots(first: 2) { nodes { volumeSnapshots { id } } } }`;
    sim().resetCalls();
    const asAdmin = await f.ok<any>(q, undefined, { token: tokens.admin });
    expect(paths().filter((p) => p.startsWith('/snapshots'))).toEqual([
      expect.stringMatching(/^\/snapshots\/detail\?group_snapshot_id=.*&limit=1000$/),
      expect.stringMatching(/^\/snapshots\/detail\?group_snapshot_id=.*&limit=1000$/),
    ]);
    sim().resetCalls();
    expect(await f.ok<any>(q, undefined, { token: member })).toEqual(asAdmin);
    const first = paths().filter((p) => p.startsWith('/snapshots'));
    expect(first.filter((p) => p.includes('group_snapshot_id'))).toHaveLength(2);
    expect(first.filter((p) => !p.includes('group_snapshot_id'))).toEqual(['/snapshots/detail?limit=1000']);
    sim().resetCalls();
    expect(await f.ok<any>(q, undefined, { token: member })).toEqual(asAdmin);
    expect(paths().filter((p) => p.startsWith('/snapshots'))).toEqual(['/snapshots/detail?limit=1000']);
  });
});

describe('sorted groups and group snapshots', () => {
  let f: Facade;
  const sim = () => cinderOf(f);
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 20 } });
    const state = sim().state;
    // Unnamed groups: Cinder's marker paging sorted by name loses them on PostgreSQL (and the simulator does too).
    for (let i = 0; i < 3; i++) {
      state.addGroup({ name: null, group_type_id: SEED.groupTypes.generic, volume_type_ids: [SEED.volumeTypes.hddStandard] });
      state.addGroupSnapshot({ name: null, group_id: SEED.groups.webTier, group_type_id: SEED.groupTypes.consistentSnapshot });
    }
  });
  afterAll(() => f.close());

  async function walk(field: 'groups' | 'groupSnapshots', sort: string, size: number) {
    const names: (string | null)[] = [];
    const ids: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const d: any = await f.ok(
        `query($a: String, $n: Int) { page: ${field}(first: $n, after: $a, sort: ${sort}) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }`,
        { a: after, n: size },
      );
      names.push(...d.page.nodes.map((n: any) => n.name));
      ids.push(...d.page.nodes.map((n: any) => n.id));
      expect(d.page.totalCount).toBe(field === 'groups' ? sim().state.groups.size : sim().state.groupSnapshots.size);
      if (!d.page.pageInfo.hasNextPage) break;
      after = d.page.pageInfo.endCursor;
    }
    return { names, ids };
  }

  it.each(['groups', 'groupSnapshots'] as const)('%s sorted by name, page by page, holds every one exactly once in order', async (field) => {
    const asc = await walk(field, '{ key: NAME, direction: ASC }', 2);
    const all = field === 'groups' ? [...sim().state.groups.values()] : [...sim().state.groupSnapshots.values()];
    expect(asc.ids.length).toBe(all.length);
    expect(new Set(asc.ids).size).toBe(all.length);
    const named = asc.names.filter((n) => n !== null);
    expect(named).toEqual([...named].sort());
    expect(asc.names.slice(named.length)).toEqual([null, null, null]);
    const desc = await walk(field, '{ key: NAME }', 2);
    expect(desc.names.slice(0, 3)).toEqual([null, null, null]);
    expect(new Set(desc.ids).size).toBe(all.length);
    // The sort reaches Cinder, and pages after the first go by offset (from a few items before the cursor, so that
    // an item created or deleted before it meanwhile repeats or skips nothing: src/resolvers/resume.ts).
    expect(sim().calls.some((c) => /sort=name%3Adesc&limit=\d+&offset=\d+\b/.test(c.url) && !c.url.includes('marker='))).toBe(true);
  });

  it('sorted by a column that is never NULL, pages go by marker', async () => {
    sim().resetCalls();
    const byStatus = await walk('groups', '{ key: STATUS, direction: ASC }', 3);
    expect(new Set(byStatus.ids).size).toBe(sim().state.groups.size);
    expect(sim().calls.some((c) => /sort=status%3Aasc&limit=4&marker=/.test(c.url))).toBe(true);
    const byCreated = await walk('groups', '{ key: CREATED_AT, direction: ASC }', 4);
    // Cinder adds id (in the first key's direction) after the sort keys: ties in created_at go by id.
    const key = (g: { created_at: string; id: string }) => `${g.created_at} ${g.id}`;
    const created = [...sim().state.groups.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1)).map((g) => g.id);
    expect(byCreated.ids).toEqual(created);
  });

  it('a cursor from a page under another kind of sort is BAD_USER_INPUT before any call', async () => {
    const d = await f.ok<any>('{ groups(first: 1) { pageInfo { endCursor } } }');
    sim().resetCalls();
    const r = await f.gql('query($a: String) { groups(first: 1, after: $a, sort: { key: NAME }) { nodes { id } } }', {
      a: d.groups.pageInfo.endCursor,
    });
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sim().calls).toEqual([]);
  });
});

describe('one code per situation: a wrong state is CONFLICT, bad input stays BAD_USER_INPUT', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({}, { cinder: { transitionMs: 20 } });
  });
  afterAll(() => f.close());

  it.each([
    ['deleteGroup of a group with snapshots', 'mutation { deleteGroup(input: { id: "%g" }) { id } }', SEED.groups.dbClusterProd, 'CONFLICT', /^Invalid Group: Group has existing snapshots\.$/],
    ['deleteGroupSnapshot while a group is made from it', 'mutation { deleteGroupSnapshot(input: { id: "%g" }) { id } }', 'creating-from', 'CONFLICT', /^Invalid GroupSnapshot: GroupSnapshot status must be available or error/],
    ['createGroupSnapshot of an empty group', 'mutation { createGroupSnapshot(input: { groupId: "%g" }) { groupSnapshot { id } } }', SEED.groups.emptyStaging, 'CONFLICT', /Source group cannot be empty/],
    ['enableGroupReplication of a failed-over group', 'mutation { enableGroupReplication(input: { id: "%g" }) { group { id } } }', SEED.groups.drFailoverDrill, 'CONFLICT', /replication status must be/],
    ['enableGroupReplication on a type that cannot replicate', 'mutation { enableGroupReplication(input: { id: "%g" }) { group { id } } }', SEED.groups.webTier, 'BAD_USER_INPUT', /is not a replication group type/],
    ['updateGroup adding a volume of an unsupported type', `mutation { updateGroup(input: { id: "%g", addVolumeIds: ["${SEED.volume(10)}"] }) { group { id } } }`, SEED.groups.webTier, 'BAD_USER_INPUT', /is not supported by the group/],
    ['updateGroup adding a volume already in another group', `mutation { updateGroup(input: { id: "%g", addVolumeIds: ["${SEED.volume(1)}"] }) { group { id } } }`, SEED.groups.webTier, 'CONFLICT', /is already in group/],
    ['updateGroup removing a volume not in the group', `mutation { updateGroup(input: { id: "%g", removeVolumeIds: ["${SEED.volume(9)}"] }) { group { id } } }`, SEED.groups.webTier, 'BAD_USER_INPUT', /it is not in the group/],
  ])('%s: %s', async (_label, query, target, code, message) => {
    let id = target;
    if (target === 'creating-from') {
      // A group being created from this snapshot holds it (the simulator's transition is longer than the test).
      const state = cinderOf(f).state;
      state.addGroup({ status: 'creating', group_snapshot_id: SEED.groupSnapshots.webRelease, group_type_id: SEED.groupTypes.generic, volume_type_ids: [] });
      id = SEED.groupSnapshots.webRelease;
    }
    const r = await f.gql(query.replace('%g', id));
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe(code);
    expect(r.errors?.[0]?.extensions?.upstream).toMatchObject({ service: 'cinder', status: 400 });
    expect(r.errors?.[0]?.message).toMatch(message);
  });
});
