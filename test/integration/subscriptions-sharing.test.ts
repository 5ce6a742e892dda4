import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restClient } from '../helpers/rest.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

// Issue 21, item 3: one upstream poll per caller and object, whatever the number of subscribers.
const POLL_MS = 300;
const NAME_AND_STATUS = 'subscription ($id: ID!) { group(id: $id) { id name status } }';

let f: Facade;
let groupId: string;
const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);

beforeAll(async () => {
  f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
  groupId = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
});
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  // Every subscriber gone: no poller is left behind.
  for (let i = 0; i < 20 && f.app.server.live.pollers() > 0; i++) await sleep(25);
  expect(f.app.server.live.pollers()).toBe(0);
});
afterAll(() => f.close());

const sim = () => f.app.simulators.cinder!;
const reads = (id: string, token?: string) =>
  sim().calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/groups/${id}`) && (token === undefined || c.headers['x-auth-token'] === token)).length;

async function sse(query: string, id: string, token?: string): Promise<Feed> {
  return track(await sseSubscribe(f.url, query, { id }, token ? { 'x-auth-token': token } : {}));
}

describe('sharing one poll', () => {
  it('ten subscribers with one token (SSE and WebSocket mixed): one poller, one upstream read per interval', async () => {
    const feeds: Feed[] = [];
    for (let i = 0; i < 5; i++) feeds.push(await sse(NAME_AND_STATUS, groupId, 'tok-shared'));
    const conn = wsConnection(f.url, { 'X-Auth-Token': 'tok-shared' });
    track({ close: () => conn.dispose() });
    for (let i = 0; i < 5; i++) feeds.push(conn.subscribe(NAME_AND_STATUS, { id: groupId }));
    for (const feed of feeds) expect((await feed.next()).data.group.id).toBe(groupId);
    expect(f.app.server.live.subscriptions()).toBe(10);
    expect(f.app.server.live.pollers()).toBe(1);
    const metrics = await (await request(`${f.app.server.url}/metrics`)).body.text();
    expect(metrics).toMatch(/^graphql_subscriptions_active 10$/m);
    expect(metrics).toMatch(/^graphql_subscription_pollers 1$/m);
    expect(metrics).toMatch(/^graphql_subscription_polls_total [1-9]\d*$/m);
    const before = reads(groupId);
    const windowMs = 6 * POLL_MS;
    await sleep(windowMs);
    const polled = reads(groupId) - before;
    // One read per interval (unchanged and settled: the interval is the maximum, 300 ms); ten pollers would make 60.
    // A loaded machine stretches timers, so only the upper bound is tight.
    expect(polled).toBeGreaterThanOrEqual(2);
    expect(polled).toBeLessThanOrEqual(windowMs / POLL_MS + 1);
    // Nobody got the unchanged object twice.
    for (const feed of feeds) expect(feed.results).toHaveLength(1);
  });

  it('two tokens: two pollers, each reading with its own token; a disconnecting client stops its poller at once', async () => {
    const a = await sse(NAME_AND_STATUS, groupId, 'tok-a');
    const b = await sse(NAME_AND_STATUS, groupId, 'tok-b');
    await a.next();
    await b.next();
    expect(f.app.server.live.pollers()).toBe(2);
    await sleep(3 * POLL_MS);
    expect(reads(groupId, 'tok-a')).toBeGreaterThan(1);
    expect(reads(groupId, 'tok-b')).toBeGreaterThan(1);
    b.close();
    for (let i = 0; i < 10 && f.app.server.live.pollers() > 1; i++) await sleep(10);
    expect(f.app.server.live.pollers()).toBe(1);
    const bAfter = reads(groupId, 'tok-b');
    const aAfter = reads(groupId, 'tok-a');
    await sleep(3 * POLL_MS);
    expect(reads(groupId, 'tok-b')).toBe(bAfter);
    expect(reads(groupId, 'tok-a')).toBeGreaterThan(aAfter);
  });

  it('a WebSocket client that goes away stops its share at once', async () => {
    const conn = wsConnection(f.url, { authorization: 'Bearer tok-ws' });
    const feed = conn.subscribe(NAME_AND_STATUS, { id: groupId });
    await feed.next();
    expect(f.app.server.live.pollers()).toBe(1);
    await conn.dispose();
    for (let i = 0; i < 20 && f.app.server.live.pollers() > 0; i++) await sleep(10);
    expect(f.app.server.live.pollers()).toBe(0);
    expect(f.app.server.live.subscriptions()).toBe(0);
    const after = reads(groupId, 'tok-ws');
    await sleep(2 * POLL_MS);
    expect(reads(groupId, 'tok-ws')).toBe(after);
  });
});

describe('what each subscription selected', () => {
  it('a change is sent only to subscribers whose selection changed', async () => {
    const id = (await f.ok<any>('{ groups(first: 3) { nodes { id } } }')).groups.nodes[2].id;
    const rest = restClient(sim().endpoint, null, { 'openstack-api-version': 'volume 3.70' });
    await rest('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    const names = await sse('subscription ($id: ID!) { group(id: $id) { name } }', id);
    const statuses = await sse('subscription ($id: ID!) { g: group(id: $id) { status } }', id);
    await names.next();
    expect((await statuses.next()).data.g.status).toBe('AVAILABLE');
    await rest('POST', `/groups/${id}/action`, { reset_status: { status: 'error' } });
    expect((await statuses.next(3 * POLL_MS)).data.g.status).toBe('ERROR');
    await sleep(2 * POLL_MS);
    expect(names.results).toHaveLength(1);
    await rest('POST', `/groups/${id}/action`, { reset_status: { status: 'available' } });
    expect((await statuses.next(3 * POLL_MS)).data.g.status).toBe('AVAILABLE');
  });
});

describe('an upstream failure while polling', () => {
  it('is an event with the usual error code; the poll retries and the object comes back', async () => {
    const feed = await sse(NAME_AND_STATUS, groupId, 'tok-fault');
    await feed.next();
    sim().injectFault({ status: 503, json: { computeFault: { code: 503, message: 'Cinder is down' } }, times: 5, urlIncludes: `/groups/${groupId}` });
    const failed = await feed.next(4 * POLL_MS);
    expect(failed.data).toBeUndefined();
    expect(failed.errors[0].extensions.code).toMatch(/^UPSTREAM_/);
    expect(failed.errors[0].extensions.upstream.service).toBe('cinder');
    // The same failure again is not sent again; once Cinder answers, the object is sent again.
    const back = await feed.next(20 * POLL_MS);
    expect(back.data.group.id).toBe(groupId);
    expect(feed.isComplete()).toBe(false);
  });
});
