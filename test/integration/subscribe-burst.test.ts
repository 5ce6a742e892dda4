// A burst of subscribes from one client (a probe's): on one WebSocket, those past MAX_SUBSCRIPTIONS_PER_CONNECTION
// are refused as they arrive, not after waiting at the door for their caller's slots; over many sockets, or over
// SSE, a caller's starts waiting at the door are bounded by MAX_SUBSCRIPTIONS_PER_CALLER, and the rest refused at once.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep, sseSubscribe } from '../helpers/live.js';

const GROUP = 'subscription ($id: ID!) { group(id: $id) { id status } }';

let f: Facade | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  await f?.close();
  f = undefined;
});

const firstGroup = async (facade: Facade) => (await facade.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id as string;

async function until(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await sleep(10);
  return done();
}

/** A graphql-transport-ws connection spoken by hand: every message it got. */
async function rawWs(httpUrl: string) {
  const ws = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: any[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data))));
  ws.on('error', () => {});
  open.push({ close: () => ws.terminate() });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { 'X-Auth-Token': 'one-caller' } }));
  expect(await until(() => messages.some((m) => m.type === 'connection_ack'), 5_000)).toBe(true);
  return {
    messages,
    /** `n` subscribes to `group`, ids `${prefix}0`…, in one write. */
    burst(n: number, group: string, prefix = 's') {
      const frames = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}`, type: 'subscribe', payload: { query: GROUP, variables: { id: group } } }));
      const socket = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      socket.cork();
      for (const frame of frames) ws.send(frame);
      socket.uncork();
    },
    errors: (code: string) => messages.filter((m) => m.type === 'error' && m.payload[0]?.extensions?.code === code),
  };
}

describe('a burst of subscribes on one WebSocket', () => {
  it('the 51st is refused at once (TOO_MANY_SUBSCRIPTIONS), while the first 50 still wait for their turn at the door', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' });
    const group = await firstGroup(f);
    // Each start (an upstream read) takes 1.5 s: the first 50 are admitted 16 at a time over four rounds.
    f.app.simulators.cinder!.setDelay(1_500);
    const c = await rawWs(f.url);
    const t0 = Date.now();
    c.burst(60, group);
    // Before: the 51st to 60th waited their turn at the door too, and were refused only once admitted (~6 s).
    expect(await until(() => c.errors('TOO_MANY_SUBSCRIPTIONS').length === 10, 1_000), JSON.stringify(c.messages)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(1_000);
    const refused = c.errors('TOO_MANY_SUBSCRIPTIONS');
    expect(refused.map((m) => m.id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${50 + i}`).sort());
    expect(refused[0].payload[0].message).toMatch(/already holds 50 subscriptions \(MAX_SUBSCRIPTIONS_PER_CONNECTION\)/);
    // The first 50 are not refused for it: they start in turn.
    f.app.simulators.cinder!.setDelay(0);
    expect(await until(() => new Set(c.messages.filter((m) => m.type === 'next').map((m) => m.id)).size === 50, 10_000)).toBe(true);
    expect(c.messages.filter((m) => m.type === 'error')).toHaveLength(10);
  });

  it('5,000 at once: all but 50 are refused within seconds, and /healthz answers within 200 ms meanwhile', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300' });
    const group = await firstGroup(f);
    f.app.simulators.cinder!.setDelay(300);
    const c = await rawWs(f.url);
    // /healthz every 50 ms: how long each took, and when each was sent (a blocked event loop sends none either).
    const health: number[] = [];
    const sentAt: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t0 = performance.now();
        sentAt.push(t0);
        const res = await request(`${f!.app.server.url}/healthz`);
        await res.body.text();
        health.push(performance.now() - t0);
        await sleep(50);
      }
    })();
    c.burst(5_000, group);
    // Before: each waited its turn at the door (until REQUEST_DEADLINE_MS), then counted the connection's ids.
    const refusedInTime = await until(() => c.errors('TOO_MANY_SUBSCRIPTIONS').length === 4_950, 10_000);
    probing = false;
    await probe;
    expect(refusedInTime, `refused ${c.errors('TOO_MANY_SUBSCRIPTIONS').length} of 4,950`).toBe(true);
    // The first probe waits for the client's own 5,000 sends (this process), hence the first is left out.
    const gaps = sentAt.slice(2).map((t, i) => t - sentAt[i + 1]! - 50);
    expect(Math.max(...health.slice(1), ...gaps), `took ${JSON.stringify(health.map(Math.round))}, waited ${JSON.stringify(gaps.map(Math.round))}`).toBeLessThan(200);
  });
});

describe('a caller\'s starts waiting at the door', () => {
  it('past MAX_SUBSCRIPTIONS_PER_CALLER waiting, over several WebSockets, the next is refused at once (TOO_MANY_REQUESTS)', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300', MAX_IN_FLIGHT_PER_CALLER: '2', MAX_SUBSCRIPTIONS_PER_CALLER: '20' });
    const group = await firstGroup(f);
    f.app.simulators.cinder!.setDelay(2_000);
    const sockets = await Promise.all([rawWs(f.url), rawWs(f.url), rawWs(f.url)]);
    // 45 starts of one caller: 2 in progress, 20 waiting, 23 refused as they arrive.
    for (const c of sockets) c.burst(15, group);
    const refused = () => sockets.reduce((n, c) => n + c.errors('TOO_MANY_REQUESTS').length, 0);
    // Before: all 43 waited (up to REQUEST_DEADLINE_MS), none refused.
    expect(await until(() => refused() === 23, 1_500), `refused ${refused()}`).toBe(true);
    const message = sockets.flatMap((c) => c.errors('TOO_MANY_REQUESTS'))[0].payload[0].message;
    expect(message).toMatch(/and 20 subscriptions waiting for one/);
  });

  it('over SSE too: a subscribe past MAX_SUBSCRIPTIONS_PER_CALLER waiting is answered 429 at once', async () => {
    f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: '300', MAX_IN_FLIGHT_PER_CALLER: '1', MAX_SUBSCRIPTIONS_PER_CALLER: '3' });
    const group = await firstGroup(f);
    f.app.simulators.cinder!.setDelay(2_000);
    const t0 = Date.now();
    const feeds = Array.from({ length: 6 }, () => sseSubscribe(f!.url, GROUP, { id: group }, { 'x-auth-token': 'one-caller' }));
    // 1 in progress, 3 waiting: the other 2 are answered at once.
    const answered = await Promise.race([Promise.all(feeds.slice(4)), sleep(1_500).then(() => null)]);
    expect(answered, 'the 5th and 6th were not answered within 1.5 s').not.toBeNull();
    expect(Date.now() - t0).toBeLessThan(1_500);
    for (const feed of answered!) {
      expect(feed.status).toBe(429);
      expect(JSON.parse(feed.body!).errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
    }
    for (const feed of await Promise.all(feeds)) open.push(feed);
  });
});
