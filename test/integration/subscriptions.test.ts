import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restClient } from '../helpers/rest.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

// Issue 21: subscriptions over both transports on the simulators; a short poll interval keeps the test quick.
const POLL_MS = 300;
const GROUP = 'subscription { group(id: $id) { id name status } }'.replace('subscription', 'subscription ($id: ID!)');

let f: Facade;
const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);

beforeAll(async () => {
  f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
});
afterEach(() => {
  for (const x of open.splice(0)) x.close();
});
afterAll(() => f.close());

const cinder = () => restClient(f.app.simulators.cinder!.endpoint, null, { 'openstack-api-version': 'volume 3.70' });
const groupReads = (id: string, token?: string) =>
  f.app.simulators.cinder!.calls.filter(
    (c) => c.method === 'GET' && c.path.endsWith(`/groups/${id}`) && (token === undefined || c.headers['x-auth-token'] === token),
  ).length;

async function makeGroup(name: string): Promise<string> {
  const types = await f.ok<any>('{ groupTypes { id } volumeTypes { id } }');
  const made = await f.ok<any>(
    'mutation($i: CreateGroupInput!) { createGroup(input: $i) { group { id } } }',
    { i: { name, groupTypeId: types.groupTypes[0].id, volumeTypeIds: [types.volumeTypes[0].id] } },
  );
  const id = made.createGroup.group.id;
  // The simulator finishes `creating` after its transition delay.
  for (let i = 0; i < 50 && (await f.ok<any>('query($id: ID!) { group(id: $id) { status } }', { id })).group.status !== 'AVAILABLE'; i++) await sleep(50);
  return id;
}

type Subscribe = (query: string, variables: Record<string, unknown>) => Promise<Feed>;
const overSse: Subscribe = async (q, v) => track(await sseSubscribe(f.url, q, v));
const overWs: Subscribe = async (q, v) => {
  const conn = wsConnection(f.url);
  const sub = conn.subscribe(q, v);
  track({ close: () => conn.dispose() });
  return sub;
};

describe.each([
  ['SSE', overSse],
  ['WebSocket', overWs],
])('a group followed over %s', (_name, subscribe) => {
  it('sends it at once, the status reset upstream within two poll intervals, then null and completion on delete', async () => {
    const id = await makeGroup(`live-${_name}`);
    const feed = await subscribe(GROUP, { id });
    expect((await feed.next()).data.group).toMatchObject({ id, status: 'AVAILABLE' });
    const reset = Date.now();
    await cinder()('POST', `/groups/${id}/action`, { reset_status: { status: 'error' } });
    expect((await feed.next(3 * POLL_MS)).data.group.status).toBe('ERROR');
    expect(Date.now() - reset).toBeLessThanOrEqual(2 * POLL_MS + 200);
    await cinder()('POST', `/groups/${id}/action`, { delete: { 'delete-volumes': true } });
    // DELETING first (the simulator's transition), then gone.
    let last = await feed.next(3_000);
    while (last.data.group !== null) last = await feed.next(3_000);
    expect(last).toEqual({ data: { group: null } });
    await feed.completed;
    expect(f.app.server.live.pollers()).toBe(0);
  });
});
