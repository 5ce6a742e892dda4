// The Manila simulator behind "keystonemiddleware": tokens `role:project`, one project's data per project, and
// Manila Zed's default policies (enforce_new_defaults) with the two shapes a refusal takes on the wire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { SEED_IDS, startManilaSimulator } from '../../src/simulator/manila/index.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

type Sim = Awaited<ReturnType<typeof startManilaSimulator>>;

const A = DEMO_PROJECT.id;
const B = BETA_PROJECT.id;
const SG = SEED_IDS.shareGroups;

interface Res {
  status: number;
  text: string;
  json: any;
}

let sim: Sim;

async function call(token: string | null, method: string, project: string, path: string, body?: unknown): Promise<Res> {
  const headers: Record<string, string> = { 'x-openstack-manila-api-version': '2.73' };
  if (token) headers['x-auth-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${sim.origin}/v2/${project}${path}`, {
    method: method as 'GET',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text, json: text ? JSON.parse(text) : undefined };
}

function expectStatus(res: Res, status: number): void {
  expect(res.status, `body: ${res.text}`).toBe(status);
}

const ids = (res: Res, key: string) => (res.json[key] as { id: string }[]).map((x) => x.id).sort();
/** What `@wsgi.Controller.authorize` answers: a bare HTTPForbidden, so webob's default text. */
const ACCESS_DENIED = { forbidden: { code: 403, message: 'Access was denied to this resource.' } };

describe('Manila simulator: projects and roles', () => {
  let betaGroup: string;

  beforeAll(async () => {
    sim = await startManilaSimulator({ transitionMs: 10 });
    const created = await call(`member:${B}`, 'POST', B, '/share-groups', { share_group: { name: 'beta-sg' } });
    expectStatus(created, 202);
    betaGroup = created.json.share_group.id;
    expect(created.json.share_group.project_id).toBe(B);
    for (let i = 0; i < 100 && (await call(`member:${B}`, 'GET', B, `/share-groups/${betaGroup}`)).json.share_group.status !== 'available'; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  afterAll(() => sim.close());

  it('each project lists only its own share groups; tokens naming no role act for the URL project as admin', async () => {
    expect(ids(await call(`reader:${B}`, 'GET', B, '/share-groups'), 'share_groups')).toEqual([betaGroup]);
    expect(ids(await call(`reader:${A}`, 'GET', A, '/share-groups'), 'share_groups')).toEqual(Object.values(SG).sort());
    expect(ids(await call('t1', 'GET', B, '/share-groups'), 'share_groups')).toEqual([betaGroup]);
    expect(ids(await call(null, 'GET', A, '/share-groups'), 'share_groups')).toEqual(Object.values(SG).sort());
  });

  it("another project's URL is 400 Malformed request url", async () => {
    const res = await call(`admin:${B}`, 'GET', A, '/share-groups');
    expectStatus(res, 400);
    expect(res.json).toEqual({ badRequest: { code: 400, message: 'Malformed request url' } });
  });

  it("another project's share group is 404 to a non-admin (project_only), visible to an admin", async () => {
    const res = await call(`member:${B}`, 'GET', B, `/share-groups/${SG.dbCluster}`);
    expectStatus(res, 404);
    expect(res.json.itemNotFound.message).toBe(`Share group ${SG.dbCluster} not found.`);
    expectStatus(await call(`member:${B}`, 'GET', B, `/share-group-snapshots/${SEED_IDS.shareGroupSnapshots.dbNightly}`), 404);
    const snap = await call(`member:${B}`, 'POST', B, '/share-group-snapshots', { share_group_snapshot: { share_group_id: SG.emptyAvailable } });
    expectStatus(snap, 400);
    const admin = await call(`admin:${B}`, 'GET', B, `/share-groups/${SG.dbCluster}`);
    expectStatus(admin, 200);
    expect(admin.json.share_group.project_id).toBe(A);
    // share_server_id is for context.is_admin only; project_id is always there.
    expect(admin.json.share_group).toHaveProperty('share_server_id');
    const member = await call(`member:${A}`, 'GET', A, `/share-groups/${SG.dbCluster}`);
    expect(member.json.share_group).not.toHaveProperty('share_server_id');
    expect(member.json.share_group.project_id).toBe(A);
  });

  it('a reader cannot write: 403 as @wsgi.Controller.authorize sends it, nothing changes', async () => {
    const put = await call(`reader:${A}`, 'PUT', A, `/share-groups/${SG.webAssets}`, { share_group: { name: 'x' } });
    expectStatus(put, 403);
    expect(put.json).toEqual(ACCESS_DENIED);
    expect((await call(`reader:${A}`, 'GET', A, `/share-groups/${SG.webAssets}`)).json.share_group.name).not.toBe('x');
    expect((await call(`reader:${A}`, 'POST', A, '/share-groups', { share_group: {} })).json).toEqual(ACCESS_DENIED);
    expect((await call(`reader:${A}`, 'DELETE', A, `/share-groups/${SG.emptyAvailable}`)).json).toEqual(ACCESS_DENIED);
    expect(
      (await call(`reader:${A}`, 'POST', A, '/share-group-snapshots', { share_group_snapshot: { share_group_id: SG.emptyAvailable } })).json,
    ).toEqual(ACCESS_DENIED);
    // The decorator runs before the body is looked at.
    expectStatus(await call(`reader:${A}`, 'POST', A, '/share-groups', 'not json object'), 403);
    // Share networks check policy in the controller body: PolicyNotAuthorized's own text.
    const net = await call(`reader:${A}`, 'POST', A, '/share-networks', { share_network: { name: 'n' } });
    expect(net.json).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow share_network:create to be performed." } });
  });

  it('a member writes in its project but not the admin-only actions', async () => {
    const token = `member:${B}`;
    const put = await call(token, 'PUT', B, `/share-groups/${betaGroup}`, { share_group: { description: 'by member' } });
    expectStatus(put, 200);
    expect(put.json.share_group.description).toBe('by member');
    expect((await call(token, 'POST', B, `/share-groups/${betaGroup}/action`, { reset_status: { status: 'error' } })).json).toEqual(ACCESS_DENIED);
    expect((await call(token, 'POST', B, `/share-groups/${betaGroup}/action`, { force_delete: null })).json).toEqual(ACCESS_DENIED);
    expect((await call(token, 'POST', B, '/share-group-types', { share_group_type: { name: 'x', share_types: ['default_nfs'] } })).json)
      .toEqual(ACCESS_DENIED);
    expect((await call(token, 'POST', B, '/types', { share_type: { name: 'x', extra_specs: { driver_handles_share_servers: false } } })).json)
      .toEqual(ACCESS_DENIED);
    const hostFilter = await call(token, 'GET', B, '/shares?host=x');
    expect(hostFilter.json).toEqual({ forbidden: { code: 403, message: "Policy doesn't allow share:list_by_host to be performed." } });
    // Another project's group: not found, after the policy (which checks the caller's own project) passed.
    expectStatus(await call(token, 'PUT', B, `/share-groups/${SG.webAssets}`, { share_group: { name: 'x' } }), 404);
    expectStatus(await call(`admin:${B}`, 'POST', B, `/share-groups/${betaGroup}/action`, { reset_status: { status: 'available' } }), 202);
  });

  it('all_tenants: any non-empty value lists every project for an admin, and is ignored for others', async () => {
    const all = await call(`admin:${B}`, 'GET', B, '/share-groups/detail?all_tenants=0');
    expect(ids(all, 'share_groups')).toEqual([...Object.values(SG), betaGroup].sort());
    const onlyB = await call(`admin:${A}`, 'GET', A, `/share-groups?all_tenants=1&project_id=${B}`);
    expect(ids(onlyB, 'share_groups')).toEqual([betaGroup]);
    expect(ids(await call(`member:${B}`, 'GET', B, '/share-groups?all_tenants=1'), 'share_groups')).toEqual([betaGroup]);
    expect((await call(`admin:${B}`, 'GET', B, '/share-group-snapshots?all_tenants=1')).json.share_group_snapshots).toHaveLength(3);
    expect((await call(`admin:${B}`, 'GET', B, '/share-group-snapshots')).json.share_group_snapshots).toHaveLength(0);
    // Shares take a strict boolean: 0 is own project, nonsense is 400.
    expect((await call(`admin:${B}`, 'GET', B, '/shares?all_tenants=0')).json.shares).toHaveLength(0);
    expect((await call(`admin:${B}`, 'GET', B, '/shares?all_tenants=1')).json.shares.length).toBeGreaterThan(0);
    expectStatus(await call(`admin:${B}`, 'GET', B, '/shares?all_tenants=maybe'), 400);
  });

  it('types are global: public ones for everyone, private ones only for admins', async () => {
    const member = await call(`member:${B}`, 'GET', B, '/share-group-types');
    expect(member.json.share_group_types.map((t: { id: string }) => t.id).sort()).toEqual(Object.values(SEED_IDS.shareGroupTypes).sort());
    const priv = await call(`admin:${A}`, 'POST', A, '/types', {
      share_type: { name: 'private-one', extra_specs: { driver_handles_share_servers: false }, 'share_type_access:is_public': false },
    });
    expectStatus(priv, 200);
    const id = priv.json.share_type.id as string;
    expect((await call(`member:${B}`, 'GET', B, '/types?is_public=all')).json.share_types).toHaveLength(3);
    expect((await call(`admin:${B}`, 'GET', B, '/types?is_public=all')).json.share_types).toHaveLength(4);
    expectStatus(await call(`member:${B}`, 'GET', B, `/types/${id}`), 404);
    expectStatus(await call(`admin:${B}`, 'GET', B, `/types/${id}`), 200);
  });
});
