// A subscribe waiting for its caller's slot (MAX_IN_FLIGHT_PER_CALLER) whose client leaves is out of the queue at
// once: its line is written then, not when a slot comes back; the subscribe behind it is next; nothing is read for it.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { type Line, logCapture } from '../helpers/logs.js';
import { sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

const GROUP = 'subscription ($id: ID!) { group(id: $id) { id name status } }';
const LIST = '{ groups(first: 1) { nodes { id } } }';
/** How long the query holding the caller's only slot takes: the leaver must be out long before it ends. */
const HOLD_MS = 1_500;

let f: Facade | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  await f?.close();
  f = undefined;
});

/** A facade whose callers have one slot each, and a query of `token`'s holding it for HOLD_MS. */
async function slotHeld(token: string) {
  const logs = logCapture();
  f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '1', SUBSCRIPTION_POLL_MAX_MS: '300' }, undefined, undefined, { logDestination: logs.stream });
  const facade = f;
  const id = (await facade.ok<any>(LIST, undefined, { token })).groups.nodes[0].id as string;
  const cinder = facade.app.simulators.cinder!;
  cinder.setDelay(HOLD_MS);
  let holding = true;
  const holder = facade.gql(LIST, undefined, { token }).finally(() => (holding = false));
  await sleep(100);
  const reads = () => cinder.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/groups/${id}`) && c.headers['x-auth-token'] === token).length;
  /** The slot comes back: the holder's answer is in, the upstream fast again. */
  const release = async () => {
    expect((await holder).status).toBe(200);
    cinder.setDelay(0);
  };
  return { facade, id, logs: logs.lines, holding: () => holding, reads, release };
}

const refusedLine = (lines: Line[], match: (l: Line) => boolean) =>
  waitFor(async () => lines.find((l) => l.msg === 'graphql subscription refused' && match(l)), (l) => l !== undefined, 800, 20);

describe('an SSE client that leaves while its subscribe waits for a slot', () => {
  it('is out of the queue at once (499 CLIENT_CLOSED while the slot is still held); the subscribe behind it is next', async () => {
    const { facade, id, logs, holding, release } = await slotHeld('queued');
    const leaving = new AbortController();
    const left = request(facade.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-auth-token': 'queued', 'x-request-id': 'leaves-queued' },
      body: JSON.stringify({ query: GROUP, variables: { id } }),
      signal: leaving.signal,
    }).catch(() => 'left');
    await sleep(100);
    const behind = sseSubscribe(facade.url, GROUP, { id }, { 'x-auth-token': 'queued' });
    await sleep(100);
    leaving.abort();
    expect(await left).toBe('left');
    const line = await refusedLine(logs, (l) => l.requestId === 'leaves-queued');
    expect(line, 'no line for the leaver before the slot came back: it still waited in the queue').toMatchObject({ status: 499, errorCodes: ['CLIENT_CLOSED'] });
    expect(holding()).toBe(true);
    await release();
    const feed = await behind;
    open.push(feed);
    expect(feed.status).toBe(200);
    expect((await feed.next()).data.group.id).toBe(id);
    expect(facade.app.server.live.subscriptions()).toBe(1);
    expect(logs.filter((l) => l.requestId === 'leaves-queued')).toHaveLength(1);
  });
});

describe('a WebSocket subscribe that waits for a slot', () => {
  it('whose socket closes is out of the queue at once, and nothing is read for it once the slot comes back', async () => {
    const { facade, id, logs, holding, release, reads } = await slotHeld('ws-closes');
    const conn = wsConnection(facade.url, { 'X-Auth-Token': 'ws-closes' });
    conn.subscribe(GROUP, { id });
    await sleep(300);
    conn.dispose();
    const line = await refusedLine(logs, (l) => l.transport === 'ws');
    expect(line, 'no line before the slot came back: the subscribe still waited').toMatchObject({ status: 499, errorCodes: ['CLIENT_CLOSED'] });
    expect(holding()).toBe(true);
    await release();
    await sleep(500);
    expect(reads()).toBe(0);
    expect({ subscriptions: facade.app.server.live.subscriptions(), pollers: facade.app.server.live.pollers() }).toEqual({ subscriptions: 0, pollers: 0 });
  });

  it('that its client completes is out of the queue at once; the socket stays open, and nothing is read for it', async () => {
    const { facade, id, logs, holding, release, reads } = await slotHeld('ws-completes');
    const conn = wsConnection(facade.url, { 'X-Auth-Token': 'ws-completes' }, false);
    open.push({ close: () => void conn.dispose() });
    const withdrawn = conn.subscribe(GROUP, { id });
    await sleep(300);
    withdrawn.close();
    const line = await refusedLine(logs, (l) => l.transport === 'ws');
    expect(line, 'no line before the slot came back: the subscribe still waited').toMatchObject({ status: 499, errorCodes: ['CLIENT_CLOSED'] });
    expect(holding()).toBe(true);
    await release();
    await sleep(500);
    expect(reads()).toBe(0);
    expect(facade.app.server.live.subscriptions()).toBe(0);
    // The connection is still good: its next subscribe is served.
    const next = conn.subscribe(GROUP, { id });
    expect((await next.next()).data.group.id).toBe(id);
    expect(conn.closes).toEqual([]);
  });
});
