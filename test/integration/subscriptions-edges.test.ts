// Edges of the two subscription transports a probe found: ids reused on a WebSocket, bursts past the limits, tokens
// refused while polling, @skip on the root field, shutdown with subscribes at the door, clients that leave early,
// messages only a server may send, and SIGTERM on an idle process.
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep, sseSubscribe, wsConnection } from '../helpers/live.js';
import { runMain, untilHealthy } from '../helpers/process.js';

const GROUP = 'subscription ($id: ID!) { group(id: $id) { id name status } }';
const STATUS = 'subscription ($id: ID!) { group(id: $id) { status } }';

let f: Facade | undefined;
const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);
afterEach(async () => {
  vi.restoreAllMocks();
  for (const x of open.splice(0)) x.close();
  await f?.close();
  f = undefined;
});

const firstGroup = async (facade: Facade, token?: string) =>
  (await facade.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, token ? { token } : undefined)).groups.nodes[0].id as string;
const active = (facade: Facade) => ({ subscriptions: facade.app.server.live.subscriptions(), pollers: facade.app.server.live.pollers() });

async function until(done: () => boolean, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await sleep(20);
  return done();
}

/** A graphql-transport-ws connection spoken by hand: every message it got, and how it was closed. */
function rawWs(httpUrl: string, token: string) {
  const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: any[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  ws.on('close', (code, reason) => (closed = { code, reason: String(reason) }));
  const send = (message: unknown) => ws.send(JSON.stringify(message));
  return {
    messages,
    send,
    closed: () => closed,
    close: () => ws.close(),
    of: (id: string) => messages.filter((m) => m.id === id),
    subscribe: (id: string, query: string, variables: Record<string, unknown>) => send({ id, type: 'subscribe', payload: { query, variables } }),
    async init() {
      await new Promise((resolve) => ws.once('open', resolve));
      send({ type: 'connection_init', payload: { 'X-Auth-Token': token } });
      expect(await until(() => messages.some((m) => m.type === 'connection_ack'))).toBe(true);
    },
    /** The messages `write` sends leave in one TCP write, so the server reads them in one go. */
    inOneWrite(write: () => void) {
      const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      socket.cork();
      write();
      socket.uncork();
    },
  };
}

describe('WebSocket ids', () => {
  it('an id completed and subscribed again in one write is a new subscription: followed, ended by its complete or its socket', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    const c = track(rawWs(f.url, 'reuse'));
    await c.init();
    for (const [round, end] of [['x', 'complete'], ['y', 'close']] as const) {
      c.subscribe(round, GROUP, { id });
      expect(await until(() => c.of(round).length === 1)).toBe(true);
      c.inOneWrite(() => {
        c.send({ id: round, type: 'complete' });
        c.subscribe(round, STATUS, { id });
      });
      expect(await until(() => c.of(round).length === 2)).toBe(true);
      // The new subscription's first result; the old one, completed by the client, gets no `complete` of its own.
      expect(c.of(round)[1]).toMatchObject({ type: 'next', payload: { data: { group: { status: expect.any(String) } } } });
      expect(active(f).subscriptions).toBe(1);
      if (end === 'complete') c.send({ id: round, type: 'complete' });
      else c.close();
      expect(await until(() => active(f!).subscriptions === 0 && active(f!).pollers === 0)).toBe(true);
    }
  });

  it('messages only a server sends (next, connection_ack, error) close the connection with 4400, nothing on stderr', async () => {
    f = await startFacade({});
    const stderr = vi.spyOn(console, 'error');
    for (const message of [{ type: 'next', id: 'x', payload: {} }, { type: 'connection_ack' }, { type: 'error', id: 'x', payload: [{ message: 'no' }] }]) {
      const c = track(rawWs(f.url, 'talker'));
      await c.init();
      c.send(message);
      expect(await until(() => c.closed() !== null)).toBe(true);
      expect(c.closed()!.code).toBe(4400);
    }
    expect(stderr).not.toHaveBeenCalled();
  });

  // A 200 KB id was taken, and echoed in every event of its subscription (probe of 2026-12-07).
  it('an operation id over 128 characters closes the connection with 4400; one of 128 is served', async () => {
    f = await startFacade({});
    const id = await firstGroup(f);
    const ok = track(rawWs(f.url, 'ids'));
    await ok.init();
    ok.subscribe('i'.repeat(128), STATUS, { id });
    expect(await until(() => ok.of('i'.repeat(128)).length > 0)).toBe(true);
    expect(ok.of('i'.repeat(128))[0]).toMatchObject({ type: 'next' });
    const long = track(rawWs(f.url, 'ids'));
    await long.init();
    long.subscribe('i'.repeat(129), STATUS, { id });
    expect(await until(() => long.closed() !== null)).toBe(true);
    expect(long.closed()).toMatchObject({ code: 4400 });
  });
});

describe('limits under a burst', () => {
  it('subscribes sent in one write, or all at once, cannot pass MAX_SUBSCRIPTIONS_PER_CALLER or MAX_SUBSCRIPTIONS', async () => {
    f = await startFacade({ MAX_SUBSCRIPTIONS_PER_CALLER: '3', MAX_SUBSCRIPTIONS: '5', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f);
    const c = track(rawWs(f.url, 'burst'));
    await c.init();
    const ids = Array.from({ length: 8 }, (_, i) => String(i));
    c.inOneWrite(() => ids.forEach((n) => c.subscribe(n, GROUP, { id })));
    expect(await until(() => ids.every((n) => c.of(n).length > 0))).toBe(true);
    const firsts = ids.map((n) => c.of(n)[0]);
    expect(firsts.filter((m) => m.type === 'next')).toHaveLength(3);
    for (const refused of firsts.filter((m) => m.type !== 'next')) {
      expect(refused).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }] });
    }
    // Six other callers at once: two places are left of the facade's five.
    const others = await Promise.all(Array.from({ length: 6 }, (_, i) => sseSubscribe(f!.url, GROUP, { id }, { 'x-auth-token': `other-${i}` })));
    others.forEach(track);
    expect(others.map((s) => s.status).sort()).toEqual([200, 200, 503, 503, 503, 503]);
    expect(active(f).subscriptions).toBe(5);
  });
});

describe('a token refused while subscribed', () => {
  it('an upstream 401 ends the subscription (WebSocket: the error, then complete; SSE: HTTP 401) and its polling', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '200' });
    const id = await firstGroup(f);
    const cinder = f.app.simulators.cinder!;
    const conn = wsConnection(f.url, { 'X-Auth-Token': 'soon-revoked' });
    track({ close: () => conn.dispose() });
    const ws = conn.subscribe(GROUP, { id });
    expect((await ws.next()).data.group.id).toBe(id);
    const unauthorized = { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } };
    cinder.injectFault({ status: 401, json: unauthorized, times: 1_000, urlIncludes: `/groups/${id}` });
    const refused = await ws.next(3_000);
    expect(refused.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    await ws.completed;
    expect(ws.errors).toEqual([]);
    // A made-up token the upstream refuses at the first read: 401 before the stream starts, as Keystone's refusals.
    const sse = await sseSubscribe(f.url, GROUP, { id }, { 'x-auth-token': 'made-up' });
    expect(sse.status).toBe(401);
    expect(JSON.parse(sse.body!).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', requestId: expect.stringMatching(/^req-/) });
    // No more reads with either token.
    const reads = () => cinder.calls.filter((call) => call.path.includes(id)).length;
    const before = reads();
    await sleep(1_000);
    expect(reads()).toBe(before);
    expect(active(f)).toEqual({ subscriptions: 0, pollers: 0 });
  });
});

describe('@skip and @include on the root field', () => {
  it('are refused as invalid documents; the connection\'s other subscriptions and the caller\'s slot are untouched', async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '1', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f, 'skipper');
    const c = track(rawWs(f.url, 'skipper'));
    await c.init();
    c.subscribe('ok', GROUP, { id });
    expect(await until(() => c.of('ok').length === 1)).toBe(true);
    c.subscribe('variable', 'subscription ($id: ID!, $s: Boolean!) { group(id: $id) @include(if: $s) { name } }', { id, s: false });
    c.subscribe('literal', 'subscription ($id: ID!) { ... @skip(if: true) { group(id: $id) { name } } }', { id });
    expect(await until(() => c.of('variable').length > 0 && c.of('literal').length > 0)).toBe(true);
    for (const n of ['variable', 'literal']) {
      expect(c.of(n)[0]).toMatchObject({ type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    }
    expect(c.closed()).toBeNull();
    expect(c.of('ok').map((m) => m.type)).toEqual(['next']);
    const sse = await sseSubscribe(f.url, 'subscription ($id: ID!) { group(id: $id) @skip(if: true) { name } }', { id }, { 'x-auth-token': 'skipper' });
    expect(sse.status).toBe(400);
    expect(JSON.parse(sse.body!).errors[0].extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.stringMatching(/^req-/) });
    // MAX_IN_FLIGHT_PER_CALLER is 1: the refusals gave their slot back at once (not at REQUEST_DEADLINE_MS).
    const started = Date.now();
    const after = track(await sseSubscribe(f.url, GROUP, { id }, { 'x-auth-token': 'skipper' }));
    expect((await after.next()).data.group.id).toBe(id);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('subscribes waiting for their caller\'s slot', () => {
  it('on shutdown, each is answered 503 SHUTTING_DOWN at once', async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '1' });
    const id = await firstGroup(f, 'queued');
    f.app.simulators.cinder!.setDelay(3_000);
    const slow = f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'queued' });
    await sleep(200);
    const waiting = [0, 1].map(() => sseSubscribe(f!.url, GROUP, { id }, { 'x-auth-token': 'queued' }));
    await sleep(300);
    const started = Date.now();
    const drained = f.app.drain(5_000);
    f = undefined;
    const answers = await Promise.all(waiting);
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body!).errors[0].extensions.code).toBe('SHUTTING_DOWN');
    }
    expect((await slow).status).toBe(200);
    await drained;
  });

  it('an SSE client that leaves while waiting gets no subscription', async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '1', SUBSCRIPTION_POLL_MAX_MS: '300' });
    const id = await firstGroup(f, 'leaver');
    const cinder = f.app.simulators.cinder!;
    cinder.setDelay(1_000);
    const slow = f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'leaver' });
    await sleep(100);
    const leaving = new AbortController();
    const left = request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': 'leaver' },
      body: JSON.stringify({ query: GROUP, variables: { id } }),
      signal: leaving.signal,
    }).catch(() => 'left');
    await sleep(200);
    leaving.abort();
    expect(await left).toBe('left');
    await slow;
    cinder.setDelay(0);
    await sleep(1_000);
    expect(active(f)).toEqual({ subscriptions: 0, pollers: 0 });
  });
});

describe('SIGTERM', () => {
  it('an idle facade finishes its shutdown before it exits ("drained, bye")', async () => {
    const sim = await startCinderSimulator({});
    try {
      const port = 4741;
      const p = runMain({ PORT: String(port), HOST: '127.0.0.1', CINDER_URL: sim.endpoint });
      await untilHealthy(p, port);
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(p.out()).toMatch(/drained, bye/);
    } finally {
      await sim.close();
    }
  });
});
