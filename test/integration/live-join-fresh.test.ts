// A subscriber joining a poller got the poller's last read at once, however old: up to SUBSCRIPTION_POLL_MAX_MS
// (10 s by default) for an unchanged object. A change made elsewhere (Horizon, the CLI, another facade: no nudge)
// reached it as the old object, and a group deleted elsewhere as still there. A newcomer's first event is now the
// object as read within the fast interval (1 s); joins at once share one read.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CinderState } from '../../src/simulator/cinder/state.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe } from '../helpers/live.js';

// Fast interval 1 s, then 2 s, 3 s: after its third read (t = 3 s) a poller reads next at t = 6 s.
const POLL_MAX_MS = 3_000;
const FAST_MS = 1_000;
const GROUP = 'subscription ($id: ID!) { group(id: $id) { name status } }';

let f: Facade;
let groupIds: string[];
const open: { close(): void }[] = [];

beforeAll(async () => {
  f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: String(POLL_MAX_MS) });
  groupIds = (await f.ok<any>('{ groups(first: 3) { nodes { id } } }')).groups.nodes.map((g: any) => g.id);
});
afterEach(() => {
  for (const x of open.splice(0)) x.close();
});
afterAll(() => f.close());

/** The Cinder simulator, with its state: the tests change the group there, as someone else would. */
const sim = () => f.app.simulators.cinder! as NonNullable<Facade['app']['simulators']['cinder']> & { state: CinderState };
const reads = (id: string, token: string) =>
  sim().calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/groups/${id}`) && c.headers['x-auth-token'] === token).length;

async function sse(id: string, token: string): Promise<Feed> {
  const feed = await sseSubscribe(f.url, GROUP, { id }, { 'x-auth-token': token });
  open.push(feed);
  return feed;
}

/**
 * A subscriber whose poller has backed off, and whose last read is older than the fast interval: the poller's third
 * read came 1.5 s ago, its next is 1.5 s away.
 */
async function staleWatcher(id: string, token: string): Promise<Feed> {
  const feed = await sse(id, token);
  await feed.next();
  for (let i = 0; i < 200 && reads(id, token) < 3; i++) await sleep(20);
  expect(reads(id, token)).toBe(3);
  await sleep(1_500);
  return feed;
}

describe('a subscriber joining a poller whose last read is old', () => {
  it('gets the object as it is now after a rename made elsewhere, and so do the others, before the next scheduled read', async () => {
    const [id, token] = [groupIds[0]!, 'tok-join-rename'];
    const a = await staleWatcher(id, token);
    const name = `${a.results[0].data.group.name}-elsewhere`;
    // As Horizon or the CLI would rename it: not through the facade, so no poller is nudged.
    sim().state.groups.get(id)!.name = name;
    await sleep(300);
    const joined = Date.now();
    const b = await sse(id, token);
    const first = await b.next(POLL_MAX_MS);
    // Before: the name the poller read 1.8 s earlier, and nothing more until its next read.
    expect(first.data.group.name).toBe(name);
    expect(Date.now() - joined).toBeLessThan(FAST_MS);
    expect((await a.next(FAST_MS)).data.group.name).toBe(name);
    expect((await f.ok<any>('query ($id: ID!) { group(id: $id) { name } }', { id }, { token })).group.name).toBe(name);
  });

  it('unchanged: five joining at once share one read, each gets the object, the subscriber already there nothing', async () => {
    const [id, token] = [groupIds[1]!, 'tok-join-burst'];
    const a = await staleWatcher(id, token);
    const before = reads(id, token);
    const feeds = await Promise.all(Array.from({ length: 5 }, () => sse(id, token)));
    for (const feed of feeds) expect((await feed.next(FAST_MS)).data.group).toEqual(a.results[0].data.group);
    // Before: no read (each got the poller's last at once); five would be one read per subscriber.
    expect(reads(id, token) - before).toBe(1);
    await sleep(200);
    expect(a.results).toHaveLength(1);
    for (const feed of feeds) expect(feed.results).toHaveLength(1);
  });

  it('gets null and completes when the group was deleted elsewhere, as does the subscriber already there', async () => {
    const [id, token] = [groupIds[2]!, 'tok-join-delete'];
    const a = await staleWatcher(id, token);
    sim().state.groups.delete(id);
    const b = await sse(id, token);
    // Before: the deleted group, as if still there.
    expect((await b.next(FAST_MS)).data.group).toBeNull();
    await b.completed;
    expect((await a.next(FAST_MS)).data.group).toBeNull();
    await a.completed;
  });
});

describe('a subscriber joining a poller whose last read is recent', () => {
  it('gets that read at once, with no read of its own', async () => {
    const [id, token] = [groupIds[0]!, 'tok-join-recent'];
    const a = await sse(id, token);
    await a.next();
    const before = reads(id, token);
    const b = await sse(id, token);
    expect((await b.next(FAST_MS)).data.group).toEqual(a.results[0].data.group);
    expect(reads(id, token)).toBe(before);
  });
});
