// A write made through the facade tells the pollers watching its object to read it soon: a subscriber saw a rename
// only at the end of its poller's backoff (SUBSCRIPTION_POLL_MAX_MS, 10 s by default), though the mutation had
// answered at once (probe: mutation at t=490.55 s, the new name at t=500.60 s).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SDRS_SEED_GROUPS as G } from '../../src/simulator/sdrs/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

// Fast interval 1 s, then 2 s, 4 s, 5 s: after its third read a poller waits 4 s for the next.
const POLL_MAX_MS = 5_000;
const SOON_MS = 1_000;
const WRITER = 'tok-writer';
const GROUP = 'subscription ($id: ID!) { group(id: $id) { name status } }';
const RENAME = 'mutation ($id: ID!, $name: String) { updateGroup(input: { id: $id, name: $name }) { settled } }';

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

const calls = (service: 'cinder' | 'sdrs') => f.app.simulators[service]!.calls;
/** Upstream reads of the object at `path` made with `token` (a poller's, or the writer's). */
const reads = (service: 'cinder' | 'sdrs', path: string, token: string) =>
  calls(service).filter((c) => c.method === 'GET' && c.path.endsWith(path) && c.headers['x-auth-token'] === token).length;

async function sse(query: string, id: string, token: string): Promise<Feed> {
  const feed = await sseSubscribe(f.url, query, { id }, { 'x-auth-token': token });
  open.push(feed);
  return feed;
}

/** Until the poller has read three times: its next read is then POLL_MAX_MS - 1 s away (4 s). */
async function backedOff(service: 'cinder' | 'sdrs', path: string, token: string): Promise<void> {
  for (let i = 0; i < 100 && reads(service, path, token) < 3; i++) await sleep(50);
  expect(reads(service, path, token)).toBeGreaterThanOrEqual(3);
}

/** The next result, and how long after `since` it came. */
async function nextWithin(feed: Feed, since: number): Promise<{ result: any; ms: number }> {
  const result = await feed.next(POLL_MAX_MS + 1_000);
  return { result, ms: Date.now() - since };
}

describe('a watched object written through the facade', () => {
  it('a rename (updateGroup) reaches every caller subscribed to the group within a second, not at the end of the backoff', async () => {
    const id = groupIds[0]!;
    const a = await sse(GROUP, id, 'tok-watch-a');
    const conn = wsConnection(f.url, { 'X-Auth-Token': 'tok-watch-b' });
    open.push({ close: () => void conn.dispose() });
    const b = conn.subscribe(GROUP, { id });
    const before = (await a.next()).data.group.name;
    await b.next();
    await backedOff('cinder', `/groups/${id}`, 'tok-watch-a');
    await backedOff('cinder', `/groups/${id}`, 'tok-watch-b');
    const name = `${before}-renamed`;
    await f.ok(RENAME, { id, name }, { token: WRITER });
    const answered = Date.now();
    for (const feed of [a, b]) {
      const { result, ms } = await nextWithin(feed, answered);
      expect(result.data.group.name).toBe(name);
      expect(ms).toBeLessThan(SOON_MS);
    }
  });

  it('an SDRS action (startProtection, through jobPayload) shows the group leaving AVAILABLE within a second', async () => {
    const path = `/server-groups/${G.crmWeb}`;
    const feed = await sse('subscription ($id: ID!) { protectionGroup(id: $id) { status } }', G.crmWeb, 'tok-watch-pg');
    expect((await feed.next()).data.protectionGroup.status).toBe('AVAILABLE');
    await backedOff('sdrs', path, 'tok-watch-pg');
    await f.ok('mutation ($id: ID!) { startProtection(input: { id: $id }) { jobId } }', { id: G.crmWeb }, { token: WRITER });
    const { result, ms } = await nextWithin(feed, Date.now());
    expect(['STARTING', 'PROTECTED']).toContain(result.data.protectionGroup.status);
    expect(ms).toBeLessThan(SOON_MS);
  });

  it('a protection group renamed (renameProtectionGroup) shows its new name within a second', async () => {
    const path = `/server-groups/${G.crmWeb}`;
    const feed = await sse('subscription ($id: ID!) { protectionGroup(id: $id) { name } }', G.crmWeb, 'tok-watch-rename');
    const before = (await feed.next()).data.protectionGroup.name;
    await backedOff('sdrs', path, 'tok-watch-rename');
    const name = `${before}-renamed`;
    await f.ok('mutation ($id: ID!, $name: String!) { renameProtectionGroup(input: { id: $id, name: $name }) { protectionGroup { name } } }', { id: G.crmWeb, name }, { token: WRITER });
    const { result, ms } = await nextWithin(feed, Date.now());
    expect(result.data.protectionGroup.name).toBe(name);
    expect(ms).toBeLessThan(SOON_MS);
  });

  it('a deleted group is noticed soon: DELETING within a second, then null and completion', async () => {
    const types = (await f.ok<any>('{ groups(first: 1) { nodes { groupType { id } volumeTypes { id } } } }')).groups.nodes[0];
    const created = await f.ok<any>(
      'mutation ($t: ID!, $v: [ID!]!) { createGroup(input: { name: "doomed", groupTypeId: $t, volumeTypeIds: $v, waitSeconds: 10 }) { id settled } }',
      { t: types.groupType.id, v: types.volumeTypes.map((t: any) => t.id) },
      { token: WRITER },
    );
    expect(created.createGroup.settled).toBe(true);
    const id = created.createGroup.id;
    const feed = await sse(GROUP, id, 'tok-watch-del');
    expect((await feed.next()).data.group.status).toBe('AVAILABLE');
    await backedOff('cinder', `/groups/${id}`, 'tok-watch-del');
    await f.ok('mutation ($id: ID!) { deleteGroup(input: { id: $id }) { id } }', { id }, { token: WRITER });
    const { result, ms } = await nextWithin(feed, Date.now());
    expect(result.data.group?.status ?? null).toMatch(/^DELETING$|^null$/);
    expect(ms).toBeLessThan(SOON_MS);
    const gone = Date.now();
    if (result.data.group !== null) expect((await feed.next(3_000)).data.group).toBeNull();
    await feed.completed;
    expect(Date.now() - gone).toBeLessThan(3_000);
  });
});

describe('what the early reads cost', () => {
  it('a write to a group nobody watches makes no read beyond its own re-read', async () => {
    const [watchedId, otherId] = [groupIds[1]!, groupIds[2]!];
    const feed = await sse(GROUP, watchedId, 'tok-watch-other');
    await feed.next();
    await backedOff('cinder', `/groups/${watchedId}`, 'tok-watch-other');
    const polls = f.app.server.live.polls();
    const watcherReads = reads('cinder', `/groups/${watchedId}`, 'tok-watch-other');
    const otherReads = () => calls('cinder').filter((c) => c.method === 'GET' && c.path.endsWith(`/groups/${otherId}`)).length;
    const otherBefore = otherReads();
    await f.ok(RENAME, { id: otherId, name: 'nobody-watches' }, { token: WRITER });
    await sleep(SOON_MS + 200);
    expect(f.app.server.live.polls()).toBe(polls);
    expect(reads('cinder', `/groups/${watchedId}`, 'tok-watch-other')).toBe(watcherReads);
    // The mutation's own re-read, with the writer's token; nothing else.
    expect(otherReads() - otherBefore).toBe(1);
    expect(reads('cinder', `/groups/${otherId}`, WRITER)).toBeGreaterThanOrEqual(1);
    expect(feed.results).toHaveLength(1);
  });

  it('writes in a row make at most one early read per fast interval (1 s), and the last state still arrives', async () => {
    const id = groupIds[2]!;
    const path = `/groups/${id}`;
    const feed = await sse(GROUP, id, 'tok-watch-burst');
    await feed.next();
    await backedOff('cinder', path, 'tok-watch-burst');
    const before = reads('cinder', path, 'tok-watch-burst');
    const first = Date.now();
    for (let i = 1; i <= 4; i++) {
      await f.ok(RENAME, { id, name: `burst-${i}` }, { token: WRITER });
      await sleep(300);
    }
    // Writes at 0, 0.3, 0.6 and 0.9 s: one early read (~0.25 s), then the fast interval after the change (~1.25 s).
    await sleep(Math.max(0, first + 1_600 - Date.now()));
    expect(reads('cinder', path, 'tok-watch-burst') - before).toBeLessThanOrEqual(3);
    for (let i = 0; i < 3 && feed.results.at(-1)?.data.group.name !== 'burst-4'; i++) await feed.next(2_000).catch(() => null);
    expect(feed.results.at(-1).data.group.name).toBe('burst-4');
  });
});
