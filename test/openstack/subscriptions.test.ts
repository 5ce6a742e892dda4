import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sseSubscribe, wsConnection } from '../helpers/live.js';
import { restClient } from '../helpers/rest.js';
import { openstackEnv, passwordToken } from './env.js';

// Issue 21 against real Cinder and Manila (scripts/openstack/start.sh): nothing schedules their objects, so a new
// group stays `creating` until the services' own admin `reset_status` moves it; deleting an unscheduled group
// removes it at once. The facade polls at most every second here.
const POLL_MS = 1_000;
const env = openstackEnv(['CINDER_URL', 'MANILA_URL', 'OPENSTACK_TOKEN', 'KEYSTONE_URL', 'CINDER_KEYSTONE_URL']);
const tag = `gg-live-${Date.now().toString(36)}`;
const cinderHeaders = { 'openstack-api-version': 'volume 3.70' };

const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);
afterEach(() => {
  for (const x of open.splice(0)) x.close();
});

/** Results until one satisfies `done`; the feed must not complete before. */
async function until(feed: Feed, done: (r: any) => boolean, timeoutMs: number): Promise<any[]> {
  const seen: any[] = [];
  for (;;) {
    const r = await feed.next(timeoutMs);
    seen.push(r);
    if (r.errors) throw new Error(`error event: ${JSON.stringify(r)}`);
    if (done(r)) return seen;
  }
}

/** An unscheduled group (status `creating`) of a new group type, made through Cinder's API. */
async function cinderGroup(cinderUrl: string, token: string, name: string): Promise<string> {
  const rest = restClient(cinderUrl, token, cinderHeaders);
  const gt = (await rest('POST', '/group_types', { group_type: { name: `${name}-gt` } })).json.group_type.id;
  const vt = (await rest('GET', '/types')).json.volume_types[0]?.id ?? (await rest('POST', '/types', { volume_type: { name: `${name}-vt` } })).json.volume_type.id;
  return (await rest('POST', '/groups', { group: { name, group_type: gt, volume_types: [vt] } })).json.group.id;
}

describe('real Cinder and Manila (noauth)', () => {
  let f: Facade;
  const token = env.OPENSTACK_TOKEN!;
  const cinder = restClient(env.CINDER_URL!, token, cinderHeaders);
  const manila = restClient(env.MANILA_URL!, token, { 'x-openstack-manila-api-version': '2.73', accept: 'application/json' });
  beforeAll(async () => {
    f = await startFacade({ CINDER_URL: env.CINDER_URL!, MANILA_URL: env.MANILA_URL!, SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) }, undefined, token);
  });
  afterAll(() => f?.close());

  it('a group over SSE: CREATING at once, AVAILABLE within two poll intervals of reset_status, null and completion on delete', async () => {
    const id = await cinderGroup(env.CINDER_URL!, token, `${tag}-cinder`);
    const feed = track(await sseSubscribe(f.url, 'subscription ($id: ID!) { group(id: $id) { id name status } }', { id }, { 'x-auth-token': token }));
    expect((await feed.next(5_000)).data.group).toEqual({ id, name: `${tag}-cinder`, status: 'CREATING' });
    const reset = Date.now();
    await cinder('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    expect((await feed.next(3 * POLL_MS)).data.group.status).toBe('AVAILABLE');
    expect(Date.now() - reset).toBeLessThanOrEqual(2 * POLL_MS + 500);
    await cinder('POST', `/groups/${id}/action`, { delete: { 'delete-volumes': true } });
    const rest = await until(feed, (r) => r.data.group === null, 3 * POLL_MS);
    expect(rest.at(-1)).toEqual({ data: { group: null } });
    await feed.completed;
    expect(f.app.server.live.pollers()).toBe(0);
  });

  it('a share group over WebSocket: CREATING, then each reset_status, null and completion on delete', async () => {
    // No default share type is configured: a type and a group type of its own.
    const type = (await manila('POST', '/types', { share_type: { name: `${tag}-st`, extra_specs: { driver_handles_share_servers: false } } })).json.share_type.id;
    const groupType = (await manila('POST', '/share-group-types', { share_group_type: { name: `${tag}-sgt`, share_types: [type] } })).json.share_group_type.id;
    const made = await manila('POST', '/share-groups', { share_group: { name: `${tag}-manila`, share_types: [type], share_group_type_id: groupType } });
    const id = made.json.share_group.id;
    const conn = wsConnection(f.url, { 'X-Auth-Token': token });
    track({ close: () => conn.dispose() });
    const feed = conn.subscribe('subscription ($id: ID!) { shareGroup(id: $id) { id status } }', { id });
    expect((await feed.next(5_000)).data.shareGroup).toEqual({ id, status: 'CREATING' });
    await manila('POST', `/share-groups/${id}/action`, { reset_status: { status: 'available' } });
    expect((await feed.next(3 * POLL_MS)).data.shareGroup.status).toBe('AVAILABLE');
    await manila('POST', `/share-groups/${id}/action`, { reset_status: { status: 'error' } });
    expect((await feed.next(3 * POLL_MS)).data.shareGroup.status).toBe('ERROR');
    await manila('DELETE', `/share-groups/${id}`);
    const rest = await until(feed, (r) => r.data.shareGroup === null, 3 * POLL_MS);
    expect(rest.at(-1)).toEqual({ data: { shareGroup: null } });
    await feed.completed;
  });
});

describe('real Keystone in front of Cinder', () => {
  let f: Facade;
  const alpha = env.GG_ALPHA_PROJECT_ID!;
  // The noauth cinder-api shares the database: the fixture and the admin reset go through it.
  const noauthUrl = env.CINDER_URL!.replace(env.OPENSTACK_PROJECT_ID!, alpha);
  const admin = restClient(noauthUrl, `admin:${alpha}`, cinderHeaders);
  beforeAll(async () => {
    f = await startFacade({ KEYSTONE_URL: env.KEYSTONE_URL!, CINDER_URL: env.CINDER_KEYSTONE_URL!, SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
  });
  afterAll(() => f?.close());

  // A poller each since 6a841c4: shared by user, a revoked token's stream went on with what the other token read.
  it('two password tokens of one user and project get a poller each; both see the reset; a refused token is UNAUTHENTICATED', async () => {
    const id = await cinderGroup(noauthUrl, `admin:${alpha}`, `${tag}-ks`);
    const [t1, t2] = [
      await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_MEMBER_USER!, env.GG_ALPHA_MEMBER_PASSWORD!, alpha),
      await passwordToken(env.KEYSTONE_URL!, env.GG_ALPHA_MEMBER_USER!, env.GG_ALPHA_MEMBER_PASSWORD!, alpha),
    ];
    expect(t1).not.toBe(t2);
    const q = 'subscription ($id: ID!) { group(id: $id) { id status } }';
    const a = track(await sseSubscribe(f.url, q, { id }, { 'x-auth-token': t1 }));
    const conn = wsConnection(f.url, { 'X-Auth-Token': t2 });
    track({ close: () => conn.dispose() });
    const b = conn.subscribe(q, { id });
    expect((await a.next(5_000)).data.group.status).toBe('CREATING');
    expect((await b.next(5_000)).data.group.status).toBe('CREATING');
    expect(f.app.server.live.pollers()).toBe(2);
    await admin('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    expect((await a.next(3 * POLL_MS)).data.group.status).toBe('AVAILABLE');
    expect((await b.next(3 * POLL_MS)).data.group.status).toBe('AVAILABLE');
    const refused = await sseSubscribe(f.url, q, { id }, { 'x-auth-token': 'gAAAAA-not-a-token' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body!).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await admin('POST', `/groups/${id}/action`, { delete: { 'delete-volumes': true } });
    await until(a, (r) => r.data.group === null, 3 * POLL_MS);
    await a.completed;
  });
});
