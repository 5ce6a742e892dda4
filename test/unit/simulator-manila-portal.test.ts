// The Manila simulator's shares, share group type administration, quotas, availability zones and share network
// listing, checked against what a real manila-api (Zed, 15.1) answered to the same requests (messages, statuses,
// microversion gates and policies).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED_IDS, startManilaSimulator } from '../../src/simulator/manila/index.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

type Sim = Awaited<ReturnType<typeof startManilaSimulator>>;

const A = DEMO_PROJECT.id;
const B = BETA_PROJECT.id;
const T = SEED_IDS.shareTypes;
const G = SEED_IDS.shareGroups;
const ADMIN = `admin:${A}`;
const MEMBER = `member:${A}`;
const ACCESS_DENIED = { forbidden: { code: 403, message: 'Access was denied to this resource.' } };

interface Res {
  status: number;
  text: string;
  json: any;
}

let sim: Sim;

async function call(
  method: string,
  path: string,
  opts: { token?: string; version?: string; body?: unknown; project?: string; origin?: string } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'x-openstack-manila-api-version': opts.version ?? '2.73', 'x-auth-token': opts.token ?? ADMIN };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${opts.origin ?? sim.origin}/v2/${opts.project ?? A}${path}`, {
    method: method as 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text ? JSON.parse(text) : undefined };
}

/** `call` under another name, for a test that sends its calls to a simulator of its own. */
const callOn = call;

function expectStatus(res: Res, status: number): void {
  expect(res.status, `body: ${res.text}`).toBe(status);
}

async function until(path: string, key: string, done: (o: any) => boolean): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const r = await call('GET', path);
    if (r.status === 200 && done(r.json[key])) return r.json[key];
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`${path} never got there`);
}

beforeAll(async () => {
  sim = await startManilaSimulator({ transitionMs: 20 });
});
afterAll(() => sim.close());

describe('Manila simulator: shares', () => {
  it('creates a share with 200: creating, no zone, no progress and an empty host until the share service has it', async () => {
    const res = await call('POST', '/shares', { body: { share: { share_proto: 'nfs', size: 1, name: 'one', share_type: T.defaultNfs } } });
    expectStatus(res, 200);
    expect(res.json.share).toMatchObject({ status: 'creating', availability_zone: null, progress: null, host: '', share_proto: 'NFS', share_group_id: null });
    const ready = await until(`/shares/${res.json.share.id}`, 'share', (s) => s.status === 'available');
    expect(ready).toMatchObject({ availability_zone: 'nova', progress: '100%' });
  });

  it('answers bad input with Manila\'s messages', async () => {
    const create = (share: Record<string, unknown>) => call('POST', '/shares', { body: { share } });
    expect((await create({ share_proto: 'XYZ', size: 1 })).json.badRequest.message).toMatch(
      /^Invalid input received: Invalid share protocol provided: XYZ\. It is either disabled or unsupported\. Available protocols: \['NFS', 'CIFS'/,
    );
    expect((await create({ share_proto: 'NFS', size: 0 })).json).toEqual({
      badRequest: { code: 400, message: "Invalid input received: Share size '0' must be an integer and greater than 0." },
    });
    expect((await create({ share_proto: 'NFS', size: 1, share_type: crypto.randomUUID() })).json).toEqual({ itemNotFound: { code: 404, message: 'Share type not found.' } });
    expect((await create({ share_proto: 'NFS', size: 1, availability_zone: 'nowhere' })).json.itemNotFound.message).toBe('Availability zone %(id)s could not be found.');
    expect((await create({ share_proto: 'NFS', size: 1, share_group_id: crypto.randomUUID() })).json.itemNotFound.message).toBe(
      'Share group %(share_group_id)s could not be found.',
    );
    expect((await create({ share_proto: 'NFS', size: 1, share_type: T.goldDhss })).json.badRequest.message).toBe(
      'Share network must be set when the driver_handles_share_servers is true.',
    );
  });

  it('puts a share in a group only with the group\'s network, zone and an allowed type, and only while the group is available', async () => {
    const base = { share_proto: 'NFS', size: 1, share_type: T.goldDhss, share_group_id: G.dbCluster };
    const noNet = await call('POST', '/shares', { body: { share: base } });
    expect(noNet.json.badRequest.message).toBe(`The specified share network (None) is not supported by the specified share group (${G.dbCluster}).`);
    const wrongType = await call('POST', '/shares', { body: { share: { ...base, share_type: T.defaultNfs, share_network_id: SEED_IDS.shareNetworks.prod } } });
    expect(wrongType.json.badRequest.message).toBe(`The specified share type (${T.defaultNfs}) is not supported by the specified share group (${G.dbCluster}).`);
    const ok = await call('POST', '/shares', { body: { share: { ...base, share_network_id: SEED_IDS.shareNetworks.prod } } });
    expectStatus(ok, 200);
    expect(ok.json.share).toMatchObject({ share_group_id: G.dbCluster, availability_zone: 'nova', host: 'manila-sim@generic1#pool0' });
    const inError = await call('POST', '/shares', { body: { share: { ...base, share_group_id: G.analytics, share_network_id: SEED_IDS.shareNetworks.dev } } });
    expect(inError.json).toEqual({ badRequest: { code: 400, message: 'Share group status must be available, got error.' } });

    // A group the share service has not created yet has no zone: Manila trips over looking up zone None.
    const group = await call('POST', '/share-groups', { body: { share_group: { share_types: [T.defaultNfs] } } });
    const early = await call('POST', '/shares', { body: { share: { share_proto: 'NFS', size: 1, share_type: T.defaultNfs, share_group_id: group.json.share_group.id } } });
    expect(early.json).toEqual({ itemNotFound: { code: 404, message: 'AvailabilityZoneNotFound: Availability zone None could not be found.' } });
    const made = await until(`/share-groups/${group.json.share_group.id}`, 'share_group', (g) => g.status === 'available');
    expect(made.availability_zone).toBe('nova');
  });

  it('deletes: the group id must come along, a busy share is a 403 with Zed\'s template, an unplaced share goes at once', async () => {
    // Transitions that never come due in the test: with 20 ms a loaded machine placed the 'unplaced' share first.
    const slow = await startManilaSimulator({ transitionMs: 600_000 });
    const call = (method: string, path: string, opts: Parameters<typeof callOn>[2] = {}) => callOn(method, path, { ...opts, origin: slow.origin });
    try {
      const inGroup = await call('POST', '/shares', { body: { share: { share_proto: 'NFS', size: 1, share_type: T.defaultNfs, share_group_id: G.emptyAvailable } } });
      const id = inGroup.json.share.id;
      expect((await call('DELETE', `/shares/${id}`)).json.badRequest.message).toBe(
        "Must provide 'share_group_id' as a request parameter when deleting a share in a share group.",
      );
      expect((await call('DELETE', `/shares/${id}?share_group_id=${G.dbCluster}`)).json.badRequest.message).toBe(
        "The specified 'share_group_id' does not match the share group id of the share.",
      );
      // Held in `creating` (reset_status stops the simulated share service from finishing it).
      expectStatus(await call('POST', `/shares/${id}/action`, { body: { reset_status: { status: 'creating' } } }), 202);
      expect((await call('DELETE', `/shares/${id}?share_group_id=${G.emptyAvailable}`)).json).toEqual({ forbidden: { code: 403, message: 'Invalid share: %(reason)s.' } });
      expectStatus(await call('POST', `/shares/${id}/action`, { body: { reset_status: { status: 'available' } } }), 202);
      expectStatus(await call('DELETE', `/shares/${id}?share_group_id=${G.emptyAvailable}`), 202);
      expect((await call('GET', `/shares/${id}`)).json.share.status).toBe('deleting');

      const loose = await call('POST', '/shares', { body: { share: { share_proto: 'NFS', size: 1 } } });
      expectStatus(await call('POST', `/shares/${loose.json.share.id}/action`, { body: { reset_status: { status: 'available' } } }), 202);
      expectStatus(await call('DELETE', `/shares/${loose.json.share.id}`), 202);
      expectStatus(await call('GET', `/shares/${loose.json.share.id}`), 404);
    } finally {
      await slow.close();
    }
  });

  it('lists with name~ from 2.36, drops it below, and drops filters a member may not use', async () => {
    const names = async (q: string, opts: { token?: string; version?: string } = {}) =>
      ((await call('GET', `/shares/detail?${q}`, opts)).json.shares as any[]).map((s) => s.name).sort();
    expect(await names('name~=db-')).toEqual(['db-config', 'db-data', 'db-wal']);
    expect(await names('name~=DB-')).toEqual([]);
    expect((await names('name~=db-', { version: '2.35' })).length).toBeGreaterThan(3);
    expect(await names(`share_group_id=${G.webAssets}&status=available`)).toEqual(['web-cifs', 'web-static', 'web-uploads']);
    // project_id is not a member's filter: dropped, so the member still gets its own project's shares.
    expect(await names(`project_id=${B}&name~=db-`, { token: MEMBER })).toEqual(['db-config', 'db-data', 'db-wal']);
    expect(await names(`project_id=${B}&name~=db-`)).toEqual([]);
  });
});

describe('Manila simulator: share group type administration', () => {
  const P = '/share-group-types';

  it('creates, refuses duplicates and unknown share types with Zed\'s templates, and orders the listing by name', async () => {
    const made = await call('POST', P, { body: { share_group_type: { name: 'zz-sgt', share_types: [T.defaultNfs], is_public: false, group_specs: { a: '1' } } } });
    expectStatus(made, 200);
    expect(made.json.share_group_type).toMatchObject({ name: 'zz-sgt', is_public: false, group_specs: { a: '1' }, share_types: [T.defaultNfs], is_default: false });
    expect((await call('POST', P, { body: { share_group_type: { name: 'zz-sgt', share_types: [T.defaultNfs] } } })).json).toEqual({
      conflictingRequest: { code: 409, message: 'Share group type %(type_id)s already exists.' },
    });
    expect((await call('POST', P, { body: { share_group_type: { name: 'x', share_types: [crypto.randomUUID()] } } })).json).toEqual({
      itemNotFound: { code: 404, message: 'Share Type %(share_type)s does not exist.' },
    });
    expect((await call('POST', P, { body: { share_group_type: { name: 'x' } } })).json.badRequest.message).toBe('Supported share types must be provided.');
    const all = await call('GET', `${P}?is_public=all`);
    const names = all.json.share_group_types.map((t: any) => t.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain('zz-sgt');
    expect((await call('GET', P)).json.share_group_types.map((t: any) => t.name)).not.toContain('zz-sgt');
  });

  it('sets and unsets group specs: 200 echoing the body, 204, 404 for a key that is not set, 400 for bad values', async () => {
    const id = (await call('POST', P, { body: { share_group_type: { name: 'specs-sgt', share_types: [T.defaultNfs] } } })).json.share_group_type.id;
    const set = await call('POST', `${P}/${id}/group-specs`, { body: { group_specs: { consistent_snapshot_support: 'host', flag: true } } });
    expectStatus(set, 200);
    expect(set.json).toEqual({ group_specs: { consistent_snapshot_support: 'host', flag: true } });
    expect((await call('GET', `${P}/${id}`)).json.share_group_type.group_specs).toEqual({ consistent_snapshot_support: 'host', flag: 'true' });
    expect((await call('POST', `${P}/${id}/group-specs`, { body: { group_specs: { d: 1 } } })).json.badRequest.message).toBe('Invalid extra_spec: d: 1');
    expect((await call('POST', `${P}/${id}/group-specs`, { body: { group_specs: { 'a b': 'x' } } })).json.badRequest.message).toMatch(/^Key names can only contain/);
    expectStatus(await call('DELETE', `${P}/${id}/group-specs/flag`), 204);
    expect((await call('DELETE', `${P}/${id}/group-specs/zzz`)).json.itemNotFound.message).toBe(`Share group type ${id} has no group specs with key zzz.`);
    expect((await call('POST', `${P}/${crypto.randomUUID()}/group-specs`, { body: { group_specs: { a: '1' } } })).status).toBe(404);
  });

  it('shares a private type with a project, which then sees it; public types refuse access changes', async () => {
    const id = (await call('POST', P, { body: { share_group_type: { name: 'private-sgt', share_types: [T.defaultNfs], is_public: false } } })).json.share_group_type.id;
    const asBeta = () => call('GET', `${P}/${id}`, { token: `reader:${B}`, project: B });
    expectStatus(await asBeta(), 404);
    expectStatus(await call('POST', `${P}/${id}/action`, { body: { addProjectAccess: { project: B } } }), 202);
    expect((await call('POST', `${P}/${id}/action`, { body: { addProjectAccess: { project: B } } })).json.conflictingRequest.message).toBe(
      'Share group type access for %(type_id)s / %(project_id)s combination already exists.',
    );
    expect((await call('GET', `${P}/${id}/access`)).json).toEqual({ share_group_type_access: [{ share_group_type_id: id, project_id: B }] });
    expectStatus(await asBeta(), 200);
    expect((await call('GET', P, { token: `reader:${B}`, project: B })).json.share_group_types.map((t: any) => t.id)).toContain(id);
    expect((await call('POST', `${P}/${id}/action`, { body: { addProjectAccess: { project: 'abc' } } })).json.badRequest.message).toBe(
      'Project value (abc) must be in uuid format.',
    );
    expectStatus(await call('POST', `${P}/${id}/action`, { body: { removeProjectAccess: { project: B } } }), 202);
    expect((await call('POST', `${P}/${id}/action`, { body: { removeProjectAccess: { project: B } } })).json.itemNotFound.message).toBe(
      'Share group type access not found for %(type_id)s / %(project_id)s combination.',
    );
    const pub = SEED_IDS.shareGroupTypes.default;
    expect((await call('POST', `${P}/${pub}/action`, { body: { addProjectAccess: { project: B } } })).json).toEqual({
      conflictingRequest: { code: 409, message: 'Type access modification is not applicable to public share group type.' },
    });
    expect((await call('GET', `${P}/${pub}/access`)).json.itemNotFound.message).toBe('Access list not available for public share group types.');
  });

  it('deletes with 204, refuses a type in use with 400, and refuses every administration call to a member', async () => {
    const inUse = SEED_IDS.shareGroupTypes.default;
    expect((await call('DELETE', `${P}/${inUse}`)).json).toEqual({ badRequest: { code: 400, message: `Target share group type with id ${inUse} is still in use.` } });
    const id = (await call('POST', P, { body: { share_group_type: { name: 'doomed-sgt', share_types: [T.defaultNfs] } } })).json.share_group_type.id;
    for (const [method, path, body] of [
      ['POST', P, { share_group_type: { name: 'member-sgt', share_types: [T.defaultNfs] } }],
      ['DELETE', `${P}/${id}`, undefined],
      ['POST', `${P}/${id}/group-specs`, { group_specs: { a: '1' } }],
      ['DELETE', `${P}/${id}/group-specs/a`, undefined],
      ['POST', `${P}/${id}/action`, { addProjectAccess: { project: B } }],
    ] as const) {
      const r = await call(method, path, { token: MEMBER, body });
      expect(r.json, `${method} ${path}`).toEqual(ACCESS_DENIED);
    }
    const del = await call('DELETE', `${P}/${id}`);
    expectStatus(del, 204);
    expect(del.text).toBe('');
    expectStatus(await call('DELETE', `${P}/${id}`), 404);
  });
});

describe('Manila simulator: quotas and availability zones', () => {
  it('shows quota usage from 2.25 with the share group quotas from 2.40, in use counted from the project\'s rows', async () => {
    const d = await call('GET', `/quota-sets/${A}/detail`);
    expectStatus(d, 200);
    expect(Object.keys(d.json.quota_set)).toEqual([
      'shares', 'gigabytes', 'snapshots', 'snapshot_gigabytes', 'id', 'share_networks', 'share_groups', 'share_group_snapshots',
      'share_replicas', 'replica_gigabytes', 'per_share_gigabytes',
    ]);
    expect(d.json.quota_set.share_groups).toEqual({ limit: 50, in_use: [...sim.state.shareGroups.values()].filter((g) => g.project_id === A).length, reserved: 0 });
    expect(d.json.quota_set.per_share_gigabytes).toEqual({ limit: -1, in_use: 0, reserved: 0 });
    expect(Object.keys((await call('GET', `/quota-sets/${A}/detail`, { version: '2.39' })).json.quota_set)).not.toContain('share_groups');
    expectStatus(await call('GET', `/quota-sets/${A}/detail`, { version: '2.24' }), 404);
    expect((await call('GET', `/quota-sets/${A}`)).json.quota_set.shares).toBe(50);
  });

  it('lets an admin set a limit (-1: unlimited) and reset it; a member reads only its own project', async () => {
    const put = await call('PUT', `/quota-sets/${B}`, { body: { quota_set: { share_group_snapshots: -1, shares: 7 } } });
    expectStatus(put, 200);
    expect(put.json.quota_set).toMatchObject({ share_group_snapshots: -1, shares: 7, id: B });
    expect((await call('GET', `/quota-sets/${B}/detail`, { token: `member:${B}`, project: B })).json.quota_set.shares).toEqual({ limit: 7, in_use: 0, reserved: 0 });
    expect((await call('GET', `/quota-sets/${A}/detail`, { token: `member:${B}`, project: B })).json).toEqual(ACCESS_DENIED);
    expect((await call('PUT', `/quota-sets/${B}`, { token: `member:${B}`, project: B, body: { quota_set: { shares: 1 } } })).json).toEqual(ACCESS_DENIED);
    expect((await call('PUT', `/quota-sets/${A}`, { body: { quota_set: { shares: 1 } } })).json.badRequest.message).toMatch(/^Quota value 1 for shares is smaller than already used and reserved \d+\.$/);
    expect((await call('PUT', `/quota-sets/${B}`, { body: { quota_set: { bogus: 1, shares: 3 } } })).json.badRequest.message).toBe('Bad key(s) bogus in quota_set.');
    expectStatus(await call('DELETE', `/quota-sets/${B}`), 202);
    expect((await call('GET', `/quota-sets/${B}`)).json.quota_set.shares).toBe(50);
  });

  it('lists availability zones at /availability-zones from 2.7 and /os-availability-zone below', async () => {
    const azs = await call('GET', '/availability-zones', { token: `reader:${A}` });
    expectStatus(azs, 200);
    expect(azs.json.availability_zones).toEqual([{ id: expect.any(String), name: 'nova', created_at: expect.any(String), updated_at: null }]);
    expectStatus(await call('GET', '/availability-zones', { version: '2.6' }), 404);
    expectStatus(await call('GET', '/os-availability-zone', { version: '2.6' }), 200);
    expectStatus(await call('GET', '/os-availability-zone'), 404);
  });
});

describe('Manila simulator: share network listing', () => {
  it('filters by any attribute, by name~ from 2.36, and pages with limit and offset', async () => {
    const list = async (q: string, version?: string) => ((await call('GET', `/share-networks/detail?${q}`, { version })).json.share_networks as any[]).map((n) => n.name);
    expect(await list('name=prod-net')).toEqual(['prod-net']);
    expect((await list('name~=-net')).sort()).toEqual(['dev-net', 'prod-net']);
    expect(await list('name~=-net', '2.35')).toEqual([]);
    expect(await list('bogus=1')).toEqual([]);
    const all = await list('');
    expect(await list('limit=1&offset=1')).toEqual(all.slice(1, 2));
  });
});
