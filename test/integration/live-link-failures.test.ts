// A subscription whose object was read but one of its links failed (a group's volumes: Cinder 503) gets the object
// with that link null and its error, never `group: null` (which means deleted). And it is not left there: the next
// poll executes its selection again though the object did not change, so a healed upstream shows within a poll.
// Before, the poller pushed only a changed object: the subscriber saw `group: null` until the group itself changed.
import { afterEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { DEFAULT_SDRS_PROJECT_ID, SDRS_SEED_GROUPS as G, createSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { type RunningSimulator, serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type FaultyProxy, answer, faultyProxy } from '../helpers/faultyProxy.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
// Fast interval and longest wait both 400 ms: every poll of an unchanged object is 400 ms after the last.
const POLL_MS = 400;
const GROUP = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b04';
const VOLUMES = /^GET \/v3\/[^/]+\/volumes\/detail/;
const SDRS_MEMBERS = /^GET \/v1\/[^/]+\/(protected-instances|replications)/;
const GROUP_SUB = 'subscription ($id: ID!) { group(id: $id) { id name status volumes { id } } }';
const PG_SUB = 'subscription ($id: ID!) { protectionGroup(id: $id) { id name status allowedActions } }';

let sim: RunningSimulator | undefined;
let proxy: FaultyProxy | undefined;
let f: Facade | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  await f?.close();
  await proxy?.close();
  await sim?.close();
  f = proxy = sim = undefined;
});

async function cinderBehindProxy(): Promise<FaultyProxy> {
  sim = await serveSimulator(createCinderSimulator({}).handler);
  proxy = await faultyProxy(sim.origin);
  f = await startFacade({ CINDER_URL: `${proxy.origin}/v3/${PROJECT}`, SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
  return proxy;
}

async function sdrsBehindProxy(): Promise<FaultyProxy> {
  sim = await serveSimulator(createSdrsSimulator({}).handler);
  proxy = await faultyProxy(sim.origin);
  f = await startFacade({ SDRS_URL: `${proxy.origin}/v1/${DEFAULT_SDRS_PROJECT_ID}`, SUBSCRIPTION_POLL_MAX_MS: String(POLL_MS) });
  return proxy;
}

const down = answer(503, { serviceUnavailable: { code: 503, message: 'down' } });
const reads = (p: FaultyProxy, match: RegExp) => p.seen.filter((s) => match.test(s)).length;

async function sse(query: string, id: string, token: string): Promise<Feed> {
  const feed = await sseSubscribe(f!.url, query, { id }, { 'x-auth-token': token });
  open.push(feed);
  return feed;
}

describe('a subscription whose link fails on its own', () => {
  it('gets the group with volumes null and the error, then the volumes once Cinder heals, the group unchanged', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VOLUMES, down);
    const feed = await sse(GROUP_SUB, GROUP, 'tok-links-group');
    const failed = await feed.next();
    expect(failed.data?.group, JSON.stringify(failed)).toMatchObject({ id: GROUP, volumes: null });
    expect(failed.errors, JSON.stringify(failed)).toEqual([
      expect.objectContaining({ path: ['group', 'volumes'], extensions: expect.objectContaining({ code: 'UPSTREAM_UNAVAILABLE' }) }),
    ]);
    // A few polls of the same failure: re-executed (the volumes are read again), the same error not sent again.
    const before = reads(p, VOLUMES);
    await sleep(3 * POLL_MS);
    expect(reads(p, VOLUMES)).toBeGreaterThan(before);
    expect(feed.results).toHaveLength(1);
    p.heal();
    const healed = await feed.next(4 * POLL_MS);
    expect(healed.errors, JSON.stringify(healed)).toBeUndefined();
    expect(healed.data.group.volumes.length).toBeGreaterThan(0);
    expect({ ...healed.data.group, volumes: null }).toEqual(failed.data.group);
  });

  it('the same failure is sent once though each answer carries its own upstream request id (as real Cinder\'s do)', async () => {
    const p = await cinderBehindProxy();
    let n = 0;
    p.misbehave(VOLUMES, (_req, res) => {
      const id = `req-00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
      res.writeHead(503, { 'content-type': 'application/json', 'x-openstack-request-id': id }).end(JSON.stringify({ serviceUnavailable: { code: 503, message: 'down' } }));
    });
    const feed = await sse(GROUP_SUB, GROUP, 'tok-links-ids');
    const failed = await feed.next();
    expect(failed.errors?.[0]?.extensions?.upstream?.requestId, JSON.stringify(failed)).toMatch(/^req-/);
    await sleep(4 * POLL_MS);
    expect(n).toBeGreaterThan(2);
    expect(feed.results).toHaveLength(1);
  });

  it('once a result without errors went out, an unchanged group is neither sent nor executed again', async () => {
    const p = await cinderBehindProxy();
    p.misbehave(VOLUMES, down);
    const feed = await sse(GROUP_SUB, GROUP, 'tok-links-quiet');
    expect((await feed.next()).data.group.volumes).toBeNull();
    p.heal();
    expect((await feed.next(4 * POLL_MS)).data.group.volumes).not.toBeNull();
    const after = reads(p, VOLUMES);
    await sleep(4 * POLL_MS);
    expect(feed.results).toHaveLength(2);
    expect(reads(p, VOLUMES)).toBe(after);
  });

  it('over WebSocket too: a protection group with allowedActions null (SDRS fault), then its actions once SDRS heals', async () => {
    const p = await sdrsBehindProxy();
    p.misbehave(SDRS_MEMBERS, answer(500, { error: { code: 'SDRS.0002', message: 'Internal error.' } }));
    const conn = wsConnection(f!.url, { 'X-Auth-Token': 'tok-links-pg' });
    open.push({ close: () => void conn.dispose() });
    const feed = conn.subscribe(PG_SUB, { id: G.crmWeb });
    const failed = await feed.next();
    expect(failed.data?.protectionGroup, JSON.stringify(failed)).toMatchObject({ id: G.crmWeb, allowedActions: null });
    expect(failed.errors?.map((e: any) => e.path), JSON.stringify(failed)).toEqual([['protectionGroup', 'allowedActions']]);
    p.heal();
    const healed = await feed.next(4 * POLL_MS);
    expect(healed.errors, JSON.stringify(healed)).toBeUndefined();
    expect(healed.data.protectionGroup.allowedActions).toEqual(expect.any(Array));
    expect(healed.data.protectionGroup.status).toBe(failed.data.protectionGroup.status);
  });
});
