import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

// Issue 21, item 4: the same token rules, document rules and limits as queries; drain; token expiry.
const GROUP = 'subscription ($id: ID!) { group(id: $id) { id name status } }';

let f: Facade | undefined;
const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  await f?.close();
  f = undefined;
});

const firstGroup = async (facade: Facade, token?: string) =>
  (await facade.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, token ? { token } : undefined)).groups.nodes[0].id as string;
const storageCalls = (facade: Facade) => facade.app.simulators.cinder!.calls.length;

describe('limits', () => {
  it('MAX_SUBSCRIPTIONS_PER_CONNECTION: the next subscription on that WebSocket is refused, the others go on', async () => {
    f = await startFacade({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '2', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    const conn = wsConnection(f.url);
    track({ close: () => conn.dispose() });
    const [a, b] = [conn.subscribe(GROUP, { id }), conn.subscribe(GROUP, { id })];
    await a.next();
    await b.next();
    const c = conn.subscribe(GROUP, { id });
    await c.completed;
    expect(c.errors[0]).toEqual([expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', requestId: expect.stringMatching(/^req-/) } })]);
    expect((c.errors[0] as any)[0].message).toMatch(/MAX_SUBSCRIPTIONS_PER_CONNECTION/);
    expect(a.isComplete() || b.isComplete()).toBe(false);
    // Another connection is not held to this one's count.
    const other = wsConnection(f.url);
    track({ close: () => other.dispose() });
    expect((await other.subscribe(GROUP, { id }).next()).data.group.id).toBe(id);
  });

  it('a client that subscribes again at once after each refusal is held, as HTTP clients are: about ten a second', async () => {
    f = await startFacade({ MAX_SUBSCRIPTIONS_PER_CONNECTION: '1', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    const conn = wsConnection(f.url);
    track({ close: () => conn.dispose() });
    const held = conn.subscribe(GROUP, { id });
    await held.next();
    // A retry loop with no back-off, as some clients have: each refusal answered, the next subscribe sent at once.
    let refusals = 0;
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      const again = conn.subscribe(GROUP, { id });
      await again.completed;
      expect(again.errors[0]).toEqual([expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', requestId: expect.stringMatching(/^req-/) } })]);
      refusals++;
    }
    // The first refusal is at once, each next one 100 ms later (unpaced: several hundred in the second).
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(refusals).toBeLessThanOrEqual(12);
    expect(held.isComplete()).toBe(false);
  });

  it('MAX_SUBSCRIPTIONS: beyond it, 503 TOO_MANY_SUBSCRIPTIONS over SSE before any upstream call', async () => {
    f = await startFacade({ MAX_SUBSCRIPTIONS: '2', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    for (let i = 0; i < 2; i++) await track(await sseSubscribe(f.url, GROUP, { id })).next();

    const calls = storageCalls(f);
    const refused = await sseSubscribe(f.url, GROUP, { id });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body!).errors[0].extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(storageCalls(f)).toBeLessThanOrEqual(calls + 1);
  });
});

describe('one caller', () => {
  it('MAX_SUBSCRIPTIONS_PER_CALLER: one caller cannot take the whole facade\'s share; others still subscribe', async () => {
    f = await startFacade({ MAX_SUBSCRIPTIONS_PER_CALLER: '2', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const member = { 'x-auth-token': `member:${DEMO_PROJECT.id}` };
    const id = await firstGroup(f, member['x-auth-token']);
    const mine: Feed[] = [];
    for (let i = 0; i < 2; i++) {
      const feed = track(await sseSubscribe(f.url, GROUP, { id }, member));
      await feed.next();
      mine.push(feed);
    }
    const calls = storageCalls(f);
    const refused = await sseSubscribe(f.url, GROUP, { id }, member);
    expect(refused.status).toBe(429);
    const error = JSON.parse(refused.body!).errors[0];
    expect(error.extensions.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(error.message).toMatch(/MAX_SUBSCRIPTIONS_PER_CALLER/);
    expect(storageCalls(f)).toBe(calls);
    // Over WebSocket too: the count is the caller's, whatever the transport.
    const conn = wsConnection(f.url, { 'X-Auth-Token': member['x-auth-token'] });
    track({ close: () => conn.dispose() });
    const overWs = conn.subscribe(GROUP, { id });
    await overWs.completed;
    expect(overWs.errors[0]).toEqual([expect.objectContaining({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', requestId: expect.stringMatching(/^req-/) } })]);
    // Another caller (the demo admin) is not held to this one's count.
    const other = track(await sseSubscribe(f.url, GROUP, { id }, { 'x-auth-token': 'admin-token' }));
    expect((await other.next()).data.group.id).toBe(id);
    // A subscription that ends gives its place back.
    mine[0]!.close();
    let again: Awaited<ReturnType<typeof sseSubscribe>> | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await sleep(50);
      again = track(await sseSubscribe(f.url, GROUP, { id }, member));
    }
    expect(again!.status).toBe(200);
    expect((await again!.next()).data.group.id).toBe(id);
  });
});

describe('the document rules of queries', () => {
  it('refuses a bad id, a query, an unresolved operation, too deep or too large a selection: clear codes, no upstream call', async () => {
    f = await startFacade({ GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_NODES: '20' });
    const before = storageCalls(f);
    const badId = await sseSubscribe(f.url, GROUP, { id: '../../v3/admin' });
    expect(badId.status).toBe(200);
    await badId.completed;
    expect(badId.results[0].errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const query = await sseSubscribe(f.url, '{ groups { nodes { id } } }');
    expect(query.status).toBe(400);
    expect(JSON.parse(query.body!).errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/POST \/graphql/) });
    const two = await sseSubscribe(f.url, 'subscription A { job(id: "x") { id } } subscription B { job(id: "y") { id } }');
    expect(JSON.parse(two.body!).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const deep = await sseSubscribe(f.url, 'subscription ($id: ID!) { group(id: $id) { volumes { group { volumes { id } } } } }', { id: DEMO_PROJECT.id });
    expect(JSON.parse(deep.body!).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const large = await sseSubscribe(f.url, 'subscription ($id: ID!) { group(id: $id) { snapshots(first: 100) { nodes { id } } } }', { id: DEMO_PROJECT.id });
    expect(JSON.parse(large.body!).errors[0].extensions.code).toBe('QUERY_TOO_LARGE');
    const conn = wsConnection(f.url);
    track({ close: () => conn.dispose() });
    const mutation = conn.subscribe('mutation { noop }');
    await mutation.completed;
    expect((mutation.errors[0] as any)[0].extensions.code).toBe('BAD_REQUEST');
    expect(storageCalls(f)).toBe(before);
  });
});

describe('hostile input', () => {
  it('malformed SSE bodies and WebSocket messages get clear refusals, never a crash, a hang or an upstream call', async () => {
    f = await startFacade({});
    const before = storageCalls(f);
    const post = async (body: string, contentType = 'application/json') => {
      const res = await request(f!.url, { method: 'POST', headers: { accept: 'text/event-stream', 'content-type': contentType }, body });
      return { status: res.statusCode, text: await res.body.text() };
    };
    expect((await post('{"query": "subscription {')).status).toBe(400);
    expect((await post('[1, 2]')).status).toBe(400);
    expect((await post('{"query": "subscription { job(id: \\"x\\") { id } }", "variables": "nope"}')).status).toBe(400);
    expect((await post('query=subscription', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await post(JSON.stringify({ query: `subscription { job(id: "${'a'.repeat(300_000)}") { id } }` }))).status).toBe(413);
    // A WebSocket that speaks something else than graphql-transport-ws is closed with the protocol's codes.
    const garbage = await wsRaw(f.url, 'graphql-transport-ws', '{"type":"subscribe","id":1}');
    expect(garbage.code).toBe(4400);
    // Another subprotocol (the old subscriptions-transport-ws one, or any other) is not taken: the client is told
    // why, with 4406 and what to use, rather than failing a handshake that picked none of its protocols.
    const legacy = await wsRaw(f.url, 'graphql-ws', '{"type":"connection_init"}');
    expect(legacy).toEqual({ code: 4406, reason: 'Subprotocol not acceptable: subscriptions-transport-ws is not supported, use graphql-transport-ws (graphql-ws)' });
    const other = await wsRaw(f.url, ['mqtt', 'wamp'], '{"type":"connection_init"}');
    expect(other).toEqual({ code: 4406, reason: 'Subprotocol not acceptable: use graphql-transport-ws (graphql-ws)' });
    // Offered among others, graphql-transport-ws is chosen.
    const among = await wsRaw(f.url, ['graphql-ws', 'graphql-transport-ws'], '{"type":"subscribe","id":1}');
    expect(among.code).toBe(4400);
    expect(storageCalls(f)).toBe(before);
    // Still serving.
    expect((await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes).toHaveLength(1);
  });
});

/** A raw WebSocket: sends `message` once open, resolves with how the server closed it. */
function wsRaw(httpUrl: string, protocol: string | string[], message: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), protocol);
    ws.on('open', () => ws.send(message));
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', (err) => resolve({ code: -1, reason: err.message }));
  });
}

describe('shutdown', () => {
  // `complete` is the normal end of a subscription: graphql-ws's and graphql-sse's clients never subscribe again
  // after it, retries or not; after a lost connection (close 1001, a stream that ends without it) they do.
  it('drain ends every subscription without `complete` (SSE over POST and GET: the stream ends; WebSocket: close 1001) within the grace period', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    const streams = [await sseRaw(f.url, 'POST', GROUP, { id }), await sseRaw(f.url, 'GET', GROUP, { id })];
    const conn = wsConnection(f.url, {}, false);
    const ws = [conn.subscribe(GROUP, { id }), conn.subscribe(GROUP, { id })];
    for (const sub of ws) await sub.next();
    for (const sse of streams) await sse.first;
    const started = Date.now();
    await f.app.drain(5_000);
    f = undefined;
    expect(Date.now() - started).toBeLessThan(3_000);
    for (const sse of streams) {
      const text = await sse.text;
      expect(text).toMatch(/^event: next$/m);
      expect(text).not.toMatch(/^event: complete$/m);
    }
    // graphql-ws's client here retries nothing: a subscription it was never sent `complete` for errs with the close.
    for (const sub of ws) {
      await sub.completed;
      expect(sub.errors).toEqual([expect.objectContaining({ code: 1001 })]);
    }
    expect(conn.closes[0]?.code).toBe(1001);
  });
});

/** An SSE subscription read raw, over POST or over GET (as Hive Gateway subscribes): its first event, then all it sent. */
async function sseRaw(url: string, method: 'POST' | 'GET', query: string, variables: Record<string, unknown>) {
  const post = method === 'POST';
  const target = post ? url : `${url}?${new URLSearchParams({ query, variables: JSON.stringify(variables) })}`;
  const headers = { accept: 'text/event-stream', ...(post ? { 'content-type': 'application/json' } : {}) };
  const res = await request(target, { method, headers, body: post ? JSON.stringify({ query, variables }) : undefined });
  expect(res.statusCode).toBe(200);
  let text = '';
  let sawNext!: () => void;
  const first = new Promise<void>((resolve) => (sawNext = resolve));
  const all = (async () => {
    for await (const chunk of res.body) {
      text += String(chunk);
      if (text.includes('event: next')) sawNext();
    }
    return text;
  })();
  return { first, text: all };
}

describe('with Keystone', () => {
  it('no token or a refused one is UNAUTHENTICATED; an expiring token ends its subscription with UNAUTHENTICATED', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder', SUBSCRIPTION_POLL_MAX_MS: '300' }, { keystone: { tokenLifetimeMs: 1_500 } });
    const member = `member:${DEMO_PROJECT.id}`;
    const id = await firstGroup(f, member);
    const anonymous = await sseSubscribe(f.url, GROUP, { id });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body!).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const conn = wsConnection(f.url, { 'x-auth-token': 'member:not-a-project' });
    track({ close: () => conn.dispose() });
    const refused = conn.subscribe(GROUP, { id });
    await refused.completed;
    expect((refused.errors[0] as any)[0].extensions.code).toBe('UNAUTHENTICATED');
    // The token was first validated by the query above: it expires about 1.5 s after that.
    const live: Feed = track(await sseSubscribe(f.url, GROUP, { id }, { 'x-auth-token': member }));
    expect((await live.next()).data.group.id).toBe(id);
    const ended = await live.next(3_000);
    expect(ended.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await live.completed;
  });
});
