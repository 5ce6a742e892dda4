// The Cinder simulator's wire for what a portal needs (issue 20): volume snapshots, group type administration,
// quotas, availability zones, volumes created into groups, and marker paging under a sort. Each expectation was
// seen on real Cinder Zed (scripts/openstack/start.sh) or read in its source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { DEFAULT_PROJECT_ID, SEED, startCinderSimulator } from '../../src/simulator/cinder/index.js';

type Sim = Awaited<ReturnType<typeof startCinderSimulator>>;

const MEMBER = `member:${DEFAULT_PROJECT_ID}`;

async function call(sim: Sim, method: string, path: string, opts: { token?: string; mv?: string; body?: unknown } = {}) {
  const res = await request(`${sim.endpoint}${path}`, {
    method: method as 'GET',
    headers: {
      'content-type': 'application/json',
      'openstack-api-version': `volume ${opts.mv ?? '3.70'}`,
      ...(opts.token ? { 'x-auth-token': opts.token } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text ? JSON.parse(text) : undefined };
}

describe('Cinder simulator: volume snapshots', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 150 });
  });
  afterAll(() => sim.close());

  it('lists a group snapshot\'s volume snapshots in detail, with group_snapshot_id and the extension attributes', async () => {
    const r = await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${SEED.groupSnapshots.dbNightly}`);
    expect(r.status).toBe(200);
    expect(r.json.snapshots).toHaveLength(3);
    expect(Object.keys(r.json.snapshots[0])).toEqual([
      'id', 'created_at', 'updated_at', 'name', 'description', 'volume_id', 'status', 'size', 'metadata',
      'group_snapshot_id', 'user_id', 'consumes_quota',
      'os-extended-snapshot-attributes:project_id', 'os-extended-snapshot-attributes:progress',
    ]);
    expect(r.json.snapshots.map((s: any) => s.volume_id).sort()).toEqual([SEED.volume(1), SEED.volume(2), SEED.volume(3)]);
    // The summary list has none of the v3 or extension keys.
    const summary = await call(sim, 'GET', '/snapshots?limit=1');
    expect(Object.keys(summary.json.snapshots[0])).not.toContain('group_snapshot_id');
    expect(summary.json.snapshots_links[0].href).toContain('/snapshots?limit=1&marker=');
    const detail = await call(sim, 'GET', '/snapshots/detail?limit=1');
    expect(detail.json.snapshots_links[0].href).toContain('/snapshots/detail?limit=1&marker=');
  });

  it('refuses a member\'s group_snapshot_id filter from 3.31 and drops it silently below', async () => {
    const refused = await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${SEED.groupSnapshots.dbNightly}`, { token: MEMBER });
    expect(refused).toEqual({
      status: 400,
      json: { badRequest: { code: 400, message: 'Invalid filters group_snapshot_id are found in query options.' } },
    });
    const old = await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${SEED.groupSnapshots.dbNightly}`, { token: MEMBER, mv: '3.30' });
    expect(old.status).toBe(200);
    expect(old.json.snapshots.length).toBeGreaterThan(3);
    expect((await call(sim, 'GET', '/snapshots/detail?volume_id=' + SEED.volume(4), { token: MEMBER })).json.snapshots).toHaveLength(1);
  });

  it('a group snapshot makes one creating snapshot per volume, available together; deleting it removes them', async () => {
    const made = await call(sim, 'POST', '/group_snapshots', { body: { group_snapshot: { group_id: SEED.groups.webTier, name: 'gs' } } });
    expect(made.status).toBe(202);
    const id = made.json.group_snapshot.id;
    const first = await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${id}`);
    expect(first.json.snapshots.map((s: any) => [s.name, s.status, s['os-extended-snapshot-attributes:progress']])).toEqual([
      ['gs', 'creating', '0%'],
      ['gs', 'creating', '0%'],
    ]);
    await new Promise((r) => setTimeout(r, 400));
    const later = await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${id}`);
    expect(later.json.snapshots.map((s: any) => s.status)).toEqual(['available', 'available']);
    expect((await call(sim, 'DELETE', `/group_snapshots/${id}`)).status).toBe(202);
    expect((await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${id}`)).json.snapshots.map((s: any) => s.status)).toEqual([
      'deleting',
      'deleting',
    ]);
    await new Promise((r) => setTimeout(r, 400));
    expect((await call(sim, 'GET', `/snapshots/detail?group_snapshot_id=${id}`)).json.snapshots).toEqual([]);
    expect((await call(sim, 'GET', `/snapshots/${SEED.volumeSnapshot(1)}`)).json.snapshot.group_snapshot_id).toBe(SEED.groupSnapshots.dbNightly);
    expect((await call(sim, 'GET', '/snapshots/4f1a2b3c-0000-4000-8000-000000000000')).json).toEqual({
      itemNotFound: { code: 404, message: 'Snapshot 4f1a2b3c-0000-4000-8000-000000000000 could not be found.' },
    });
  });
});

describe('Cinder simulator: group snapshot preconditions (group_snapshot_create, _create_snapshot_in_db_validate)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20 });
  });
  afterAll(() => sim.close());

  const create = (groupId: string) => call(sim, 'POST', '/group_snapshots', { body: { group_snapshot: { group_id: groupId } } });

  it('refuses an empty, creating or updating group, and a volume in error or never scheduled; an error group is fine', async () => {
    const empty = "Invalid Group: Source group cannot be empty or in 'creating' or 'updating' state. No group snapshot will be created.";
    expect((await create(SEED.groups.emptyStaging)).json.badRequest.message).toBe(empty);
    const web = sim.state.groups.get(SEED.groups.webTier)!;
    web.status = 'updating';
    expect((await create(web.id)).json.badRequest.message).toBe(empty);
    web.status = 'error';
    expect((await create(web.id)).status).toBe(202);
    expect((await create(SEED.groups.analyticsScratch)).json.badRequest.message).toBe(
      'Invalid volume: The snapshot cannot be created when the volume is in error status.',
    );
    sim.state.volumes.get(SEED.volume(8))!.host = null;
    expect((await create(SEED.groups.drFailoverDrill)).json.badRequest.message).toBe(
      'Invalid volume: The snapshot cannot be created because volume has not been scheduled to any host.',
    );
  });
});

describe('Cinder simulator: group type administration', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20 });
  });
  afterAll(() => sim.close());

  it('updates, sets and unsets specs, and deletes a group type; members get 403 with the policy name', async () => {
    const made = await call(sim, 'POST', '/group_types', { body: { group_type: { name: 'gt-admin', group_specs: { a: '1' } } } });
    const id = made.json.group_type.id;
    const upd = await call(sim, 'PUT', `/group_types/${id}`, { body: { group_type: { description: 'd', is_public: false } } });
    expect(upd).toMatchObject({ status: 200, json: { group_type: { id, name: 'gt-admin', description: 'd', is_public: false } } });
    expect((await call(sim, 'PUT', `/group_types/${id}`, { body: { group_type: {} } })).json.badRequest.message).toBe(
      'Specify group type name, description or a combination thereof.',
    );
    expect((await call(sim, 'PUT', `/group_types/${id}`, { body: { group_type: { name: 'generic' } } })).json).toEqual({
      conflictingRequest: { code: 409, message: 'Group Type generic already exists.' },
    });
    expect((await call(sim, 'POST', `/group_types/${id}/group_specs`, { body: { group_specs: { b: '2' } } })).status).toBe(202);
    expect((await call(sim, 'PUT', `/group_types/${id}/group_specs/a`, { body: { a: '3' } })).json).toEqual({ a: '3' });
    expect((await call(sim, 'PUT', `/group_types/${id}/group_specs/a`, { body: { c: '3' } })).json.badRequest.message).toBe(
      'Request body and URI mismatch',
    );
    expect((await call(sim, 'DELETE', `/group_types/${id}/group_specs/b`)).status).toBe(202);
    expect((await call(sim, 'DELETE', `/group_types/${id}/group_specs/b`)).json.itemNotFound.message).toBe(
      `Group Type ${id} has no specs with key b.`,
    );
    expect((await call(sim, 'GET', `/group_types/${id}`)).json.group_type.group_specs).toEqual({ a: '3' });
    for (const [method, path, body] of [
      ['PUT', `/group_types/${id}`, { group_type: { description: 'x' } }],
      ['DELETE', `/group_types/${id}`, undefined],
      ['POST', `/group_types/${id}/group_specs`, { group_specs: { z: '1' } }],
      ['DELETE', `/group_types/${id}/group_specs/a`, undefined],
    ] as const) {
      const r = await call(sim, method, path, { token: MEMBER, body });
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.forbidden.message).toMatch(/^Policy doesn't allow group:group_types(_specs)?:(update|delete|create) to be performed\.$/);
    }
    expect((await call(sim, 'DELETE', `/group_types/${id}`)).status).toBe(202);
    expect((await call(sim, 'GET', `/group_types/${id}`)).status).toBe(404);
  });

  it('refuses to delete a type groups still use, and answers 404 for a default that is not set', async () => {
    const r = await call(sim, 'DELETE', `/group_types/${SEED.groupTypes.generic}`);
    expect(r.json).toEqual({
      badRequest: {
        code: 400,
        message: `Target group type is still in use. Group Type ${SEED.groupTypes.generic} deletion is not allowed with groups present with the type.`,
      },
    });
    expect((await call(sim, 'GET', '/group_types/default')).json.group_type.id).toBe(SEED.groupTypes.generic);
    sim.state.defaultGroupTypeId = null;
    expect((await call(sim, 'GET', '/group_types/default')).json).toEqual({
      itemNotFound: { code: 404, message: 'Default group type can not be found.' },
    });
  });
});

describe('Cinder simulator: quotas, zones and volumes in groups', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20 });
  });
  afterAll(() => sim.close());

  it('shows limit, in_use and reserved per resource with usage=True; another project is 403 to a member', async () => {
    const r = await call(sim, 'GET', `/os-quota-sets/${DEFAULT_PROJECT_ID}?usage=True`, { token: MEMBER });
    const q = r.json.quota_set;
    expect(q.id).toBe(DEFAULT_PROJECT_ID);
    expect(q.groups).toEqual({ limit: 50, in_use: 5, reserved: 0 });
    expect(q.volumes).toEqual({ limit: 100, in_use: 10, reserved: 0 });
    expect(q.snapshots.in_use).toBe(10);
    expect(q.gigabytes.in_use).toBe(2120 + 610 * 2 + 250 + 200);
    expect(q).not.toHaveProperty('group_snapshots');
    expect(q['volumes_hdd-standard']).toEqual({ limit: -1, in_use: 3, reserved: 0 });
    expect((await call(sim, 'GET', `/os-quota-sets/${DEFAULT_PROJECT_ID}`)).json.quota_set.groups).toBe(50);
    const other = await call(sim, 'GET', '/os-quota-sets/5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e?usage=True', { token: MEMBER });
    expect(other.json).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow volume_extension:quotas:show to be performed." } });
    expect((await call(sim, 'PUT', `/os-quota-sets/${DEFAULT_PROJECT_ID}`, { body: { quota_set: { groups: -1 } } })).status).toBe(200);
    expect((await call(sim, 'GET', `/os-quota-sets/${DEFAULT_PROJECT_ID}?usage=True`)).json.quota_set.groups.limit).toBe(-1);
  });

  it('lists availability zones in Cinder\'s shape', async () => {
    expect((await call(sim, 'GET', '/os-availability-zone', { token: MEMBER })).json).toEqual({
      availabilityZoneInfo: [{ zoneName: 'nova', zoneState: { available: true } }],
    });
  });

  it('creates a volume into a group only with a type the group supports, in a proceeding status', async () => {
    const gid = SEED.groups.emptyStaging;
    const noType = await call(sim, 'POST', '/volumes', { body: { volume: { size: 1, group_id: gid } } });
    expect(noType.json.badRequest.message).toBe('Invalid input received: volume_type must be provided when creating a volume in a group.');
    const ok = await call(sim, 'POST', '/volumes', {
      body: { volume: { size: 2, group_id: gid, volume_type: SEED.volumeTypes.nvmeFast, availability_zone: 'elsewhere' } },
    });
    expect(ok.status).toBe(202);
    expect(ok.json.volume).toMatchObject({ status: 'creating', group_id: gid, availability_zone: 'nova' });
    sim.state.groups.get(gid)!.status = 'error';
    const refused = await call(sim, 'POST', '/volumes', { body: { volume: { size: 1, group_id: gid, volume_type: SEED.volumeTypes.nvmeFast } } });
    expect(refused.json.badRequest.message).toBe("Invalid Group: Originating group status must be one of 'available, creating' values");
    sim.state.groups.get(gid)!.status = 'available';
    expect((await call(sim, 'POST', '/volumes', { body: { volume: { size: 1, availability_zone: 'bogus' } } })).json.badRequest.message).toBe(
      "Availability zone 'bogus' is invalid.",
    );
  });

  it('deletes a never-scheduled volume at once, and refuses one with snapshots as a wrong state', async () => {
    const made = await call(sim, 'POST', '/volumes', { body: { volume: { size: 1, name: 'unscheduled' } } });
    const id = made.json.volume.id;
    expect((await call(sim, 'DELETE', `/volumes/${id}`)).status).toBe(202);
    expect((await call(sim, 'GET', `/volumes/${id}`)).status).toBe(404);
    const v = sim.state.addVolume({ volume_type_id: SEED.volumeTypes.hddStandard, name: 'with-snap' });
    sim.state.addSnapshot({ volume_id: v.id, size: 1 });
    expect((await call(sim, 'DELETE', `/volumes/${v.id}`)).json.badRequest.message).toMatch(/^Invalid volume: Volume status must be .* have snapshots/);
  });
});

describe('Cinder simulator: marker paging under a sort (sqlalchemyutils.paginate_query on PostgreSQL)', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startCinderSimulator({ port: 0, transitionMs: 20, seed: false });
    const gt = sim.state.addGroupType({ name: 'gt' });
    for (const [i, name] of ['b', 'a', null, 'c', null].entries()) {
      sim.state.addGroup({ name, group_type_id: gt.id, volume_type_ids: [], created_at: `2026-01-0${i + 1}T00:00:00.000000` });
    }
  });
  afterAll(() => sim.close());

  async function walk(sort: string, viaOffset = false): Promise<(string | null)[]> {
    const out: (string | null)[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const q = viaOffset ? `offset=${out.length}` : marker ? `marker=${marker}` : '';
      const r = await call(sim, 'GET', `/groups/detail?sort=${sort}&limit=1${q ? `&${q}` : ''}`);
      if (r.json.groups.length === 0) break;
      out.push(r.json.groups[0].name);
      marker = r.json.groups[0].id;
    }
    return out;
  }

  it('orders NULL names last ascending and first descending, as PostgreSQL does', async () => {
    const all = async (sort: string) => (await call(sim, 'GET', `/groups/detail?sort=${sort}`)).json.groups.map((g: any) => g.name);
    expect(await all('name:asc')).toEqual(['a', 'b', 'c', null, null]);
    expect(await all('name:desc')).toEqual([null, null, 'c', 'b', 'a']);
  });

  it('a marker page after a named group skips the unnamed ones (real Cinder does too); offset paging does not', async () => {
    expect(await walk('name:asc')).toEqual(['a', 'b', 'c']);
    expect(await walk('name:desc')).toEqual([null, null]);
    expect(await walk('name:asc', true)).toEqual(['a', 'b', 'c', null, null]);
    expect(await walk('created_at:asc')).toEqual(['b', 'a', null, 'c', null]);
  });
});
