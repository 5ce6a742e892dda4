import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { SDRS_SEED_GROUPS } from '../../src/simulator/sdrs/index.js';
import { restClient } from '../helpers/rest.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sseSubscribe, wsConnection } from '../helpers/live.js';

// Issue 21: every Subscription field, on the simulators (Manila and SDRS here; Cinder groups in subscriptions.test.ts).
const POLL_MS = 300;
let f: Facade;
const open: { close(): void }[] = [];
const track = <T extends { close(): void }>(x: T): T => (open.push(x), x);

beforeAll(async () => {
  f = await startFacade({ SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) }, { sdrs: { jobStepMs: 300 } });
});
afterEach(() => {
  for (const x of open.splice(0)) x.close();
});
afterAll(() => f.close());

const sse = async (query: string, variables: Record<string, unknown>): Promise<Feed> => track(await sseSubscribe(f.url, query, variables));
/** Results until one satisfies `done` (the feed must not complete before). */
async function until(feed: Feed, done: (r: any) => boolean, timeoutMs = 5_000): Promise<any[]> {
  const seen: any[] = [];
  for (;;) {
    const r = await feed.next(timeoutMs);
    seen.push(r);
    if (done(r)) return seen;
  }
}

describe('Cinder', () => {
  it('groupSnapshot: reset upstream, then deleted upstream: null and completion', async () => {
    const cinder = restClient(f.app.simulators.cinder!.endpoint, null, { 'openstack-api-version': 'volume 3.70' });
    const groupId = (await f.ok<any>('{ groups(first: 5) { nodes { id status volumes { id } } } }')).groups.nodes.find(
      (g: any) => g.status === 'AVAILABLE' && g.volumes.length > 0,
    ).id;
    const made = await f.ok<any>('mutation($g: ID!) { createGroupSnapshot(input: { groupId: $g, name: "live" }) { groupSnapshot { id } } }', { g: groupId });
    const id = made.createGroupSnapshot.groupSnapshot.id;
    const feed = await sse('subscription ($id: ID!) { groupSnapshot(id: $id) { id status } }', { id });
    await until(feed, (r) => r.data.groupSnapshot.status === 'AVAILABLE');
    await cinder('POST', `/group_snapshots/${id}/action`, { reset_status: { status: 'error' } });
    expect((await feed.next(3 * POLL_MS)).data.groupSnapshot.status).toBe('ERROR');
    await cinder('DELETE', `/group_snapshots/${id}`);
    const rest = await until(feed, (r) => r.data.groupSnapshot === null);
    expect(rest.at(-1)).toEqual({ data: { groupSnapshot: null } });
    await feed.completed;
  });
});

describe('Manila', () => {
  it('shareGroup: reset upstream, then back; shareGroupSnapshot: deleted upstream is null and completion', async () => {
    const manila = restClient(f.app.simulators.manila!.endpoint, null, { 'x-openstack-manila-api-version': '2.73' });
    const id = SEED_IDS.shareGroups.emptyAvailable;
    const group = await sse('subscription ($id: ID!) { shareGroup(id: $id) { id status } }', { id });
    expect((await group.next()).data.shareGroup).toEqual({ id, status: 'AVAILABLE' });
    await manila('POST', `/share-groups/${id}/action`, { reset_status: { status: 'error' } });
    expect((await group.next(3 * POLL_MS)).data.shareGroup.status).toBe('ERROR');
    await manila('POST', `/share-groups/${id}/action`, { reset_status: { status: 'available' } });
    expect((await group.next(3 * POLL_MS)).data.shareGroup.status).toBe('AVAILABLE');

    const made = await f.ok<any>('mutation($g: ID!) { createShareGroupSnapshot(input: { shareGroupId: $g, name: "live" }) { shareGroupSnapshot { id } } }', {
      g: SEED_IDS.shareGroups.dbCluster,
    });
    const snapshotId = made.createShareGroupSnapshot.shareGroupSnapshot.id;
    const snapshot = await sse('subscription ($id: ID!) { shareGroupSnapshot(id: $id) { id status } }', { id: snapshotId });
    await until(snapshot, (r) => r.data.shareGroupSnapshot.status === 'AVAILABLE');
    await manila('DELETE', `/share-group-snapshots/${snapshotId}`);
    const rest = await until(snapshot, (r) => r.data.shareGroupSnapshot === null);
    expect(rest.at(-1)).toEqual({ data: { shareGroupSnapshot: null } });
    await snapshot.completed;
  });
});

describe('SDRS', () => {
  it('job: each status as the job runs, completion once it finished; the protection group follows it over WebSocket', async () => {
    const id = SDRS_SEED_GROUPS.crmWeb;
    const conn = wsConnection(f.url);
    track({ close: () => conn.dispose() });
    const group = conn.subscribe('subscription ($id: ID!) { protectionGroup(id: $id) { id status } }', { id });
    expect((await group.next()).data.protectionGroup).toEqual({ id, status: 'AVAILABLE' });
    const started = await f.ok<any>('mutation($id: ID!) { startProtection(input: { id: $id }) { jobId } }', { id });
    const job = await sse('subscription ($id: ID!) { job(id: $id) { status finished } }', { id: started.startProtection.jobId });
    const statuses = await until(job, (r) => r.data.job.finished);
    expect(statuses.at(-1).data.job).toEqual({ status: 'SUCCESS', finished: true });
    await job.completed;
    await until(group, (r) => r.data.protectionGroup.status === 'PROTECTED', 3_000);
    expect(group.isComplete()).toBe(false);
  });

  it('a job that does not exist: null, then completion', async () => {
    const job = await sse('subscription { job(id: "0000000062db92d70162db9d200f0fff") { id } }', {});
    expect(await job.next()).toEqual({ data: { job: null } });
    await job.completed;
  });
});
