// The Cinder simulator behind "keystonemiddleware": tokens `role:project`, one project's data per project, the
// default policies of Cinder Zed with enforce_new_defaults, and resource_filters.json for non-admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED, startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

type Sim = Awaited<ReturnType<typeof startCinderSimulator>>;

const A = DEMO_PROJECT.id;
const B = BETA_PROJECT.id;

interface Res {
  status: number;
  text: string;
  json: any;
}

let sim: Sim;

/** `path` is below `/v3/<project>`; fails loudly with the body when the status is not the expected one. */
async function call(
  token: string | null,
  method: string,
  project: string,
  path: string,
  opts: { mv?: string; body?: unknown } = {},
): Promise<Res> {
  const headers: Record<string, string> = { 'openstack-api-version': `volume ${opts.mv ?? '3.70'}` };
  if (token) headers['x-auth-token'] = token;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${sim.origin}/v3/${project}${path}`, {
    method: method as 'GET',
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(res: Res, status: number): void {
  expect(res.status, `body: ${res.text}`).toBe(status);
}

const forbidden = (rule: string) => ({ forbidden: { code: 403, message: `Policy doesn't allow ${rule} to be performed.` } });
const ids = (res: Res, key: string) => (res.json[key] as { id: string }[]).map((x) => x.id).sort();

async function waitAvailable(token: string, project: string, path: string, key: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await call(token, 'GET', project, path)).json?.[key]?.status === 'available') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} never became available`);
}

describe('Cinder simulator: projects and roles', () => {
  let betaGroup: string;

  beforeAll(async () => {
    sim = await startCinderSimulator({ transitionMs: 10 });
    const created = await call(`member:${B}`, 'POST', B, '/groups', {
      body: { group: { name: 'beta-g', group_type: SEED.groupTypes.generic, volume_types: [SEED.volumeTypes.hddStandard] } },
    });
    expectStatus(created, 202);
    betaGroup = created.json.group.id;
    await waitAvailable(`member:${B}`, B, `/groups/${betaGroup}`, 'group');
  });
  afterAll(() => sim.close());

  it('each project lists only its own groups; tokens that name no role keep the old admin-of-the-URL behaviour', async () => {
    expect(ids(await call(`member:${B}`, 'GET', B, '/groups'), 'groups')).toEqual([betaGroup]);
    const demo = await call(`reader:${A}`, 'GET', A, '/groups');
    expect(ids(demo, 'groups')).toEqual(Object.values(SEED.groups).sort());
    expect(ids(await call('bench-token', 'GET', B, '/groups'), 'groups')).toEqual([betaGroup]);
    expect(ids(await call(null, 'GET', A, '/groups'), 'groups')).toEqual(Object.values(SEED.groups).sort());
    // `admin:x` names no project id (Cinder's project_id_regex is hex and dashes): a plain token, admin of the URL's.
    expect((await call('admin:x', 'GET', A, '/groups')).json.groups).toHaveLength(5);
  });

  it("another project's URL is 400 Malformed request url, whatever the role", async () => {
    for (const token of [`member:${B}`, `admin:${B}`, `reader:${B}`]) {
      const res = await call(token, 'GET', A, '/groups');
      expectStatus(res, 400);
      expect(res.json).toEqual({ badRequest: { code: 400, message: 'Malformed request url' } });
    }
  });

  it("another project's group by id is 404 to a non-admin; an admin reads it (is_admin skips project_only)", async () => {
    const res = await call(`member:${B}`, 'GET', B, `/groups/${SEED.groups.webTier}`);
    expectStatus(res, 404);
    expect(res.json.itemNotFound.message).toBe(`Group ${SEED.groups.webTier} could not be found.`);
    expectStatus(await call(`reader:${A}`, 'GET', A, `/group_snapshots/${SEED.groupSnapshots.dbNightly}`), 200);
    expectStatus(await call(`member:${B}`, 'GET', B, `/group_snapshots/${SEED.groupSnapshots.dbNightly}`), 404);
    expectStatus(await call(`member:${B}`, 'GET', B, `/volumes/${SEED.volume(1)}`), 404);
    const admin = await call(`admin:${B}`, 'GET', B, `/groups/${SEED.groups.webTier}`);
    expectStatus(admin, 200);
    expect(admin.json.group.project_id).toBe(A);
  });

  it('project_id is in group and group snapshot detail from 3.58 for admins only', async () => {
    const member = await call(`member:${B}`, 'GET', B, `/groups/${betaGroup}`);
    expect(member.json.group).not.toHaveProperty('project_id');
    expect((await call(`admin:${B}`, 'GET', B, `/groups/${betaGroup}`)).json.group.project_id).toBe(B);
    expect((await call(`admin:${B}`, 'GET', B, `/groups/${betaGroup}`, { mv: '3.57' })).json.group).not.toHaveProperty('project_id');
    const snaps = await call(`reader:${A}`, 'GET', A, '/group_snapshots/detail');
    expect(snaps.json.group_snapshots[0]).not.toHaveProperty('project_id');
  });

  it('a reader cannot write: 403 with the policy name, nothing changes', async () => {
    const id = SEED.groups.webTier;
    const put = await call(`reader:${A}`, 'PUT', A, `/groups/${id}`, { body: { group: { name: 'renamed' } } });
    expectStatus(put, 403);
    expect(put.json).toEqual(forbidden('group:update'));
    expect((await call(`reader:${A}`, 'GET', A, `/groups/${id}`)).json.group.name).toBe('web-tier');
    const create = await call(`reader:${A}`, 'POST', A, '/groups', {
      body: { group: { group_type: SEED.groupTypes.generic, volume_types: [SEED.volumeTypes.hddStandard] } },
    });
    expect(create.json).toEqual(forbidden('group:create'));
    const del = await call(`reader:${A}`, 'POST', A, `/groups/${SEED.groups.emptyStaging}/action`, { body: { delete: {} } });
    expect(del.json).toEqual(forbidden('group:delete'));
    const snap = await call(`reader:${A}`, 'POST', A, '/group_snapshots', { body: { group_snapshot: { group_id: SEED.groups.dbClusterProd } } });
    expect(snap.json).toEqual(forbidden('group:create_group_snapshot'));
    const delSnap = await call(`reader:${A}`, 'DELETE', A, `/group_snapshots/${SEED.groupSnapshots.dbNightly}`);
    expect(delSnap.json).toEqual(forbidden('group:delete_group_snapshot'));
    const vol = await call(`reader:${A}`, 'POST', A, '/volumes', { body: { volume: { size: 1 } } });
    expect(vol.json).toEqual(forbidden('volume:create'));
    // A malformed body is still a 400 first: schema validation runs before the policy check.
    expectStatus(await call(`reader:${A}`, 'POST', A, '/groups', { body: { group: {} } }), 400);
  });

  it('a member writes in its project but is refused the admin-only actions', async () => {
    const token = `member:${B}`;
    expectStatus(await call(token, 'PUT', B, `/groups/${betaGroup}`, { body: { group: { description: 'by member' } } }), 202);
    const reset = await call(token, 'POST', B, `/groups/${betaGroup}/action`, { body: { reset_status: { status: 'error' } } });
    expect(reset.json).toEqual(forbidden('group:reset_status'));
    const type = await call(token, 'POST', B, '/group_types', { body: { group_type: { name: 'mine' } } });
    expect(type.json).toEqual(forbidden('group:group_types:create'));
    const vtype = await call(token, 'POST', B, '/types', { body: { volume_type: { name: 'mine' } } });
    expect(vtype.json).toEqual(forbidden('volume_extension:type_create'));
    const specs = await call(token, 'GET', B, `/group_types/${SEED.groupTypes.generic}/group_specs`);
    expect(specs.json).toEqual(forbidden('group:group_types_specs:get_all'));
    expect((await call(token, 'GET', B, `/groups/${betaGroup}`)).json.group.status).toBe('available');
    // Another project's group is not found before any policy is asked.
    const other = await call(token, 'POST', B, `/groups/${SEED.groups.webTier}/action`, { body: { reset_status: { status: 'error' } } });
    expectStatus(other, 404);
    const admin = await call(`admin:${B}`, 'POST', B, `/groups/${betaGroup}/action`, { body: { reset_status: { status: 'available' } } });
    expectStatus(admin, 202);
  });

  it('types are global; non-admins see public ones without group_specs or sensitive extra_specs', async () => {
    const member = await call(`member:${B}`, 'GET', B, '/group_types');
    expect(member.json.group_types.length).toBe(3);
    expect(member.json.group_types[0]).not.toHaveProperty('group_specs');
    expect((await call(`admin:${B}`, 'GET', B, '/group_types')).json.group_types[0]).toHaveProperty('group_specs');
    const vt = await call(`reader:${B}`, 'GET', B, `/types/${SEED.volumeTypes.ssdReplicated}`);
    expect(vt.json.volume_type.extra_specs).toEqual({ replication_enabled: '<is> True' });
    expect(vt.json.volume_type).not.toHaveProperty('qos_specs_id');
    expect(vt.json.volume_type).not.toHaveProperty('os-volume-type-access:is_public');
  });

  it('refuses a non-admin filter outside resource_filters.json from 3.31, as real Cinder does', async () => {
    const res = await call(`member:${A}`, 'GET', A, '/groups?status=available&name=web-tier&host=x');
    expectStatus(res, 400);
    expect(res.json).toEqual({ badRequest: { code: 400, message: 'Invalid filters status,host are found in query options.' } });
    expect((await call(`member:${A}`, 'GET', A, '/groups?name=web-tier')).json.groups).toHaveLength(1);
    // Below 3.31 nothing is checked: the filter reaches the database.
    const old = await call(`member:${A}`, 'GET', A, '/groups?status=error', { mv: '3.30' });
    expect(ids(old, 'groups')).toEqual([SEED.groups.analyticsScratch]);
    const snaps = await call(`reader:${A}`, 'GET', A, `/group_snapshots?group_id=${SEED.groups.dbClusterProd}&project_id=${A}`);
    expect(snaps.json.badRequest.message).toBe('Invalid filters project_id are found in query options.');
    const vols = await call(`member:${A}`, 'GET', A, '/volumes?host=x');
    expect(vols.json.badRequest.message).toBe('Invalid filters host are found in query options.');
    // Admins filter on any column.
    expectStatus(await call(`admin:${A}`, 'GET', A, '/groups?status=available&host=x'), 200);
  });

  it('all_tenants: an admin lists every project (project_id filter too); a non-admin is silently given its own', async () => {
    const all = await call(`admin:${A}`, 'GET', A, '/groups/detail?all_tenants=1');
    expect(ids(all, 'groups')).toEqual([...Object.values(SEED.groups), betaGroup].sort());
    expect(all.json.groups.find((g: { id: string }) => g.id === betaGroup).project_id).toBe(B);
    const onlyB = await call(`admin:${A}`, 'GET', A, `/groups?all_tenants=1&project_id=${B}`);
    expect(ids(onlyB, 'groups')).toEqual([betaGroup]);
    // Without all_tenants an admin lists its own project only.
    expect(ids(await call(`admin:${B}`, 'GET', B, '/groups'), 'groups')).toEqual([betaGroup]);
    // cinder/api/common.py reject_invalid_filters drops a non-admin's all_tenants (bug 1917574).
    expect(ids(await call(`member:${B}`, 'GET', B, '/groups?all_tenants=1'), 'groups')).toEqual([betaGroup]);
    // Below 3.31 it reaches the database as an unknown column: an empty list.
    expect((await call(`member:${B}`, 'GET', B, '/groups?all_tenants=1', { mv: '3.30' })).json.groups).toEqual([]);
    const snaps = await call(`admin:${B}`, 'GET', B, '/group_snapshots?all_tenants=1');
    expect(snaps.json.group_snapshots).toHaveLength(4);
    const vols = await call(`admin:${B}`, 'GET', B, '/volumes?all_tenants=true');
    expect(vols.json.volumes.length).toBeGreaterThan(0);
    expect((await call(`member:${B}`, 'GET', B, '/volumes?all_tenants=true')).json.volumes).toEqual([]);
  });

  it("creates carry the creator's project and user; volumes hide host attributes from non-admins", async () => {
    const vol = await call(`member:${B}`, 'POST', B, '/volumes', {
      body: { volume: { size: 1, volume_type: SEED.volumeTypes.hddStandard, group_id: betaGroup } },
    });
    expectStatus(vol, 202);
    expect(vol.json.volume['os-vol-tenant-attr:tenant_id']).toBe(B);
    expect(vol.json.volume).not.toHaveProperty('os-vol-host-attr:host');
    expect(sim.state.volumes.get(vol.json.volume.id)?.project_id).toBe(B);
    const inA = await call(`member:${B}`, 'POST', B, '/volumes', { body: { volume: { size: 1, group_id: SEED.groups.webTier } } });
    expectStatus(inA, 404);
  });
});
