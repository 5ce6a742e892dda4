// A rolling deploy: facade A drains (SIGTERM) and facade B comes up on the same URL, both on one Cinder. A drain
// that sent `complete` to every subscription froze every live view: graphql-ws's and graphql-sse's clients take
// `complete` for the end and never subscribe again, retries or not. Ended without it (WebSocket: close 1001; SSE:
// the stream ends), they retry, subscribe again on B and follow the changes made there.
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCinderSimulator } from '../../src/simulator/cinder/index.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { sleep } from '../helpers/live.js';
import { portOf } from '../helpers/raw.js';

const TOKEN = 'tok-rolling';
const FOLLOW = 'subscription Follow($id: ID!) { group(id: $id) { id name } }';
const RENAME = 'mutation ($id: ID!, $name: String) { updateGroup(input: { id: $id, name: $name }) { group { name } } }';
// Quick retries, so that the test waits for the clients' resubscribe, not their back-off.
const RETRIES = { retryAttempts: 40, wait: async () => void (await sleep(100)) };

/** What a client's subscription received: each result's group name, and how it ended (null: it has not). */
interface Followed {
  names: (string | null)[];
  ended: string | null;
  stop(): void;
}

type Sink = { next(r: any): void; error(e: unknown): void; complete(): void };

function follow(subscribe: (sink: Sink) => () => void): Followed {
  const followed: Followed = { names: [], ended: null, stop: () => {} };
  followed.stop = subscribe({
    next: (r) => followed.names.push(r.data?.group?.name ?? null),
    error: (e) => (followed.ended = `error: ${e instanceof Error ? e.message : JSON.stringify(e)}`),
    complete: () => (followed.ended = 'complete'),
  });
  return followed;
}

/** Waits until `done` holds for every subscription; fails with what each received and how it ended. */
async function until(label: string, subs: Record<string, Followed>, done: (f: Followed) => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!Object.values(subs).every(done)) {
    if (Date.now() > deadline) throw new Error(`${label}: not within ${timeoutMs} ms: ${JSON.stringify(subs)}`);
    await sleep(25);
  }
}

let sim: RunningSimulator & { endpoint: string };
const facades: Facade[] = [];
const stops: (() => void)[] = [];
beforeAll(async () => {
  sim = await startCinderSimulator({ transitionMs: 20 });
});
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  for (const f of facades.splice(0)) await f.close().catch(() => {});
});
afterAll(() => sim.close());

const startOn = async (port: number) => {
  const f = await startFacade({ CINDER_URL: sim.endpoint, SUBSCRIPTION_POLL_MAX_MS: '300', PORT: String(port) }, undefined, TOKEN);
  facades.push(f);
  return f;
};

describe('a drain followed by a new instance on the same URL', () => {
  it('graphql-ws and graphql-sse clients subscribe again on their own and follow the changes made on the new instance', async () => {
    const a = await startOn(0);
    const id = (await a.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id as string;
    const ws = createWsClient({
      url: a.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { 'X-Auth-Token': TOKEN },
      retryAttempts: RETRIES.retryAttempts,
      retryWait: RETRIES.wait,
    });
    const sse = createSseClient({ url: a.url, headers: { 'x-auth-token': TOKEN }, retryAttempts: RETRIES.retryAttempts, retry: RETRIES.wait });
    stops.push(() => void ws.dispose(), () => sse.dispose());
    const subs = {
      ws: follow((sink) => ws.subscribe({ query: FOLLOW, variables: { id } }, sink)),
      sse: follow((sink) => sse.subscribe({ query: FOLLOW, variables: { id } }, sink)),
    };
    await until('first results from A', subs, (s) => s.names.length === 1);

    expect(await a.app.drain(5_000)).toBe(0);
    facades.splice(facades.indexOf(a), 1);
    const b = await startOn(portOf(a));
    // B's first result for each: the clients subscribed again (a completed subscription never does).
    await until('subscribed again on B', subs, (s) => s.names.length >= 2 || s.ended !== null);
    expect({ ws: subs.ws.ended, sse: subs.sse.ended }).toEqual({ ws: null, sse: null });

    await b.ok(RENAME, { id, name: 'after-the-deploy' });
    await until('the rename made on B', subs, (s) => s.names.includes('after-the-deploy'));
    expect({ ws: subs.ws.ended, sse: subs.sse.ended }).toEqual({ ws: null, sse: null });
  });
});
