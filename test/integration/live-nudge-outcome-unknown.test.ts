// A write the facade may have made still tells the pollers watching its object to read it soon. A rename whose
// answer was lost (OUTCOME_UNKNOWN: a proxy's 502 or bare 503, a dropped connection, a timeout) had been carried
// out upstream, yet its subscribers saw it only at the end of their poller's backoff; so did those of a write
// whose re-read failed or found nothing. A tiny proxy in front of each simulator passes everything on, carrying
// out the write and then spoiling its answer, or refusing it itself; the facade is pointed at the proxies.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SEED as CINDER_SEED, startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { SEED_IDS as MANILA_SEED, startManilaSimulator } from '../../src/simulator/manila/index.js';
import { SDRS_SEED_GROUPS as G, startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe } from '../helpers/live.js';

// Fast interval 1 s, then 2 s, 4 s: after its third read a poller waits 4 s for the next.
const POLL_MAX_MS = 5_000;
const SOON_MS = 1_000;
// A write left unanswered is OUTCOME_UNKNOWN after this.
const TIMEOUT_MS = 1_000;
const WRITER = 'tok-writer';

/** An answer the proxy gives itself. */
type Answer = { status: number; text: string; type?: string };
/**
 * What the proxy does with the next matching request: `after` carries it out, then drops the connection, never
 * answers, or answers this instead; `instead` answers without passing it on (nothing is carried out).
 */
interface Twist {
  method: string;
  path: string;
  token?: string;
  after?: 'drop' | 'hang' | Answer;
  instead?: Answer;
  times?: number;
}

interface Upstream {
  sim: RunningSimulator & { endpoint: string };
  proxy: Server;
  /** The simulator's endpoint, through the proxy. */
  endpoint: string;
  twists: Twist[];
}

async function behindProxy(sim: RunningSimulator & { endpoint: string }): Promise<Upstream> {
  const up: Upstream = { sim, proxy: createServer(), endpoint: '', twists: [] };
  up.proxy.on('request', (req, res) => void relay(up, req, res));
  await new Promise<void>((r) => up.proxy.listen(0, '127.0.0.1', () => r()));
  up.endpoint = sim.endpoint.replace(sim.origin, `http://127.0.0.1:${(up.proxy.address() as AddressInfo).port}`);
  return up;
}

function twistFor(up: Upstream, req: IncomingMessage): Twist | undefined {
  const i = up.twists.findIndex(
    (t) => t.method === req.method && req.url?.split('?')[0]?.endsWith(t.path) && (!t.token || req.headers['x-auth-token'] === t.token),
  );
  const twist = up.twists[i];
  if (!twist) return undefined;
  twist.times = (twist.times ?? 1) - 1;
  if (twist.times <= 0) up.twists.splice(i, 1);
  return twist;
}

const answer = (res: ServerResponse, a: Answer) => res.writeHead(a.status, { 'content-type': a.type ?? 'text/plain' }).end(a.text);

async function relay(up: Upstream, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const twist = twistFor(up, req);
  if (twist?.instead) return void answer(res, twist.instead);
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.connection;
  const out = await request(`${up.sim.origin}${req.url}`, { method: req.method as 'GET', headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
  const body = Buffer.from(await out.body.arrayBuffer());
  if (twist?.after === 'drop') return void req.socket.destroy();
  if (twist?.after === 'hang') return;
  if (twist?.after) return void answer(res, twist.after);
  const kept = Object.entries(out.headers).filter(([k]) => !['connection', 'keep-alive', 'transfer-encoding'].includes(k));
  res.writeHead(out.statusCode, Object.fromEntries(kept) as Record<string, string>).end(body);
}

let cinder: Upstream;
let manila: Upstream;
let sdrs: Upstream;
let f: Facade;
const open: Feed[] = [];

beforeAll(async () => {
  cinder = await behindProxy(await startCinderSimulator({ transitionMs: 20 }));
  manila = await behindProxy(await startManilaSimulator({ transitionMs: 20 }));
  sdrs = await behindProxy(await startSdrsSimulator());
  f = await startFacade({
    CINDER_URL: cinder.endpoint,
    MANILA_URL: manila.endpoint,
    SDRS_URL: sdrs.endpoint,
    SUBSCRIPTION_POLL_MAX_MS: String(POLL_MAX_MS),
    UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  });
});
afterEach(() => {
  for (const feed of open.splice(0)) feed.close();
  for (const up of [cinder, manila, sdrs]) up.twists.splice(0);
});
afterAll(async () => {
  await f.close();
  for (const up of [cinder, manila, sdrs]) {
    up.proxy.closeAllConnections();
    await new Promise<void>((r) => up.proxy.close(() => r()));
    await up.sim.close();
  }
});

/** Requests of `method` that reached the simulator for a path ending in `path`, with `token` when given. */
const calls = (up: Upstream, method: string, path: string, token?: string) =>
  up.sim.calls.filter((c) => c.method === method && c.path.endsWith(path) && (!token || c.headers['x-auth-token'] === token)).length;

/** Subscribed with `token`, its first result taken, and its poller backed off: its next read is 4 s away. */
async function watched(up: Upstream, query: string, id: string, path: string, token: string): Promise<{ feed: Feed; first: any }> {
  const feed = await sseSubscribe(f.url, query, { id }, { 'x-auth-token': token });
  open.push(feed);
  const first = (await feed.next()).data;
  for (let i = 0; i < 100 && calls(up, 'GET', path, token) < 3; i++) await sleep(50);
  expect(calls(up, 'GET', path, token)).toBeGreaterThanOrEqual(3);
  return { feed, first };
}

/** The next result, and how long after the mutation answered it came. */
async function nextAfter(feed: Feed, answered: number): Promise<{ data: any; ms: number }> {
  const result = await feed.next(POLL_MAX_MS + 1_000);
  return { data: result.data, ms: Date.now() - answered };
}

const GROUP = 'subscription ($id: ID!) { group(id: $id) { name status } }';
const RENAME = 'mutation ($id: ID!, $name: String) { updateGroup(input: { id: $id, name: $name }) { group { name } } }';
const ENVOY_RESET = 'upstream connect error or disconnect/reset before headers. reset reason: connection termination';

describe('a Cinder write whose outcome is unknown', () => {
  it.each([
    ['a proxy 502 with no OpenStack envelope', '502', { status: 502, text: '<html><body><h1>502 Bad Gateway</h1></body></html>', type: 'text/html' }],
    ["a proxy 503 with no OpenStack envelope (Envoy's reset)", '503', { status: 503, text: ENVOY_RESET }],
    ['a dropped connection', 'drop', 'drop'],
    ['no answer within UPSTREAM_TIMEOUT_MS', 'hang', 'hang'],
  ] as const)('a rename answered by %s: OUTCOME_UNKNOWN, and the subscriber sees the new name within a second', async (_, tag, after) => {
    const id = CINDER_SEED.groups.webTier;
    const path = `/groups/${id}`;
    const { feed, first } = await watched(cinder, GROUP, id, path, `tok-watch-${tag}`);
    const name = `${first.group.name}-${tag}`;
    const sent = calls(cinder, 'PUT', path);
    cinder.twists.push({ method: 'PUT', path, after });
    const r = await f.gql(RENAME, { id, name }, { token: WRITER });
    const answered = Date.now();
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('OUTCOME_UNKNOWN');
    // Carried out upstream, and sent once.
    expect(calls(cinder, 'PUT', path) - sent).toBe(1);
    const { data, ms } = await nextAfter(feed, answered);
    expect(data.group.name).toBe(name);
    expect(ms).toBeLessThan(SOON_MS);
  });
});

describe('a write carried out whose re-read did not show the object', () => {
  it('a rename whose re-read failed (the change was made): the subscriber sees the new name within a second', async () => {
    const id = CINDER_SEED.groups.analyticsScratch;
    const path = `/groups/${id}`;
    const { feed, first } = await watched(cinder, GROUP, id, path, 'tok-watch-unread');
    const name = `${first.group.name}-unread`;
    // Every read by the writer fails, however often the facade tries.
    cinder.twists.push({ method: 'GET', path, token: WRITER, instead: { status: 500, text: '{"computeFault": {"code": 500, "message": "boom"}}', type: 'application/json' }, times: 10 });
    const r = await f.gql(RENAME, { id, name }, { token: WRITER });
    const answered = Date.now();
    expect(r.data?.updateGroup?.group ?? null, r.raw).toBeNull();
    expect(r.errors?.[0]?.message, r.raw).toMatch(/The change was made/);
    const { data, ms } = await nextAfter(feed, answered);
    expect(data.group.name).toBe(name);
    expect(ms).toBeLessThan(SOON_MS);
  });

  it('a Manila force-delete whose re-read finds nothing: the subscriber gets null and completes within a second', async () => {
    const id = MANILA_SEED.shareGroupSnapshots.dbFailed;
    const query = 'subscription ($id: ID!) { shareGroupSnapshot(id: $id) { status } }';
    const { feed } = await watched(manila, query, id, `/share-group-snapshots/${id}`, 'tok-watch-force');
    const d = await f.ok<any>('mutation ($id: ID!) { forceDeleteShareGroupSnapshot(input: { id: $id }) { shareGroupSnapshot { id } } }', { id }, { token: WRITER });
    const answered = Date.now();
    expect(d.forceDeleteShareGroupSnapshot.shareGroupSnapshot).toBeNull();
    const { data, ms } = await nextAfter(feed, answered);
    expect(data.shareGroupSnapshot).toBeNull();
    expect(ms).toBeLessThan(SOON_MS);
    await feed.completed;
  });
});

describe('Manila and SDRS writes whose outcome is unknown', () => {
  it('a share group rename answered by a proxy 502: the subscriber sees the new name within a second', async () => {
    const id = MANILA_SEED.shareGroups.webAssets;
    const path = `/share-groups/${id}`;
    const { feed, first } = await watched(manila, 'subscription ($id: ID!) { shareGroup(id: $id) { name } }', id, path, 'tok-watch-sg');
    const name = `${first.shareGroup.name}-502`;
    manila.twists.push({ method: 'PUT', path, after: { status: 502, text: 'Bad Gateway' } });
    const r = await f.gql('mutation ($id: ID!, $name: String) { updateShareGroup(input: { id: $id, name: $name }) { shareGroup { name } } }', { id, name }, { token: WRITER });
    const answered = Date.now();
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('OUTCOME_UNKNOWN');
    const { data, ms } = await nextAfter(feed, answered);
    expect(data.shareGroup.name).toBe(name);
    expect(ms).toBeLessThan(SOON_MS);
  });

  it('a protection group rename answered by a proxy 502: the subscriber sees the new name within a second', async () => {
    const path = `/server-groups/${G.crmWeb}`;
    const { feed, first } = await watched(sdrs, 'subscription ($id: ID!) { protectionGroup(id: $id) { name } }', G.crmWeb, path, 'tok-watch-pg');
    const name = `${first.protectionGroup.name}-502`;
    sdrs.twists.push({ method: 'PUT', path, after: { status: 502, text: 'Bad Gateway' } });
    const r = await f.gql('mutation ($id: ID!, $name: String!) { renameProtectionGroup(input: { id: $id, name: $name }) { protectionGroup { name } } }', { id: G.crmWeb, name }, { token: WRITER });
    const answered = Date.now();
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('OUTCOME_UNKNOWN');
    const { data, ms } = await nextAfter(feed, answered);
    expect(data.protectionGroup.name).toBe(name);
    expect(ms).toBeLessThan(SOON_MS);
  });

  it('an SDRS action whose connection dropped after SDRS took it: the group leaves AVAILABLE within a second', async () => {
    const path = `/server-groups/${G.crmWeb}`;
    const { feed, first } = await watched(sdrs, 'subscription ($id: ID!) { protectionGroup(id: $id) { status } }', G.crmWeb, path, 'tok-watch-act');
    expect(first.protectionGroup.status).toBe('AVAILABLE');
    sdrs.twists.push({ method: 'POST', path: `${path}/action`, after: 'drop' });
    const r = await f.gql('mutation ($id: ID!) { startProtection(input: { id: $id }) { jobId } }', { id: G.crmWeb }, { token: WRITER });
    const answered = Date.now();
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('OUTCOME_UNKNOWN');
    const { data, ms } = await nextAfter(feed, answered);
    expect(['STARTING', 'PROTECTED']).toContain(data.protectionGroup.status);
    expect(ms).toBeLessThan(SOON_MS);
  });
});

describe('a write refused changed nothing: no early read', () => {
  it.each([
    ["Cinder's own 400", '400', { status: 400, text: '{"badRequest": {"code": 400, "message": "Invalid input received."}}', type: 'application/json' }],
    ["Cinder's own 503 (busy: not carried out)", '503', { status: 503, text: '{"serviceUnavailable": {"code": 503, "message": "busy"}}', type: 'application/json' }],
  ] as const)('a rename refused with %s: the watcher reads nothing before its backoff ends', async (_, tag, instead) => {
    const id = CINDER_SEED.groups.emptyStaging;
    const path = `/groups/${id}`;
    const token = `tok-watch-refused-${tag}`;
    const { feed } = await watched(cinder, GROUP, id, path, token);
    const reads = calls(cinder, 'GET', path, token);
    cinder.twists.push({ method: 'PUT', path, instead });
    const r = await f.gql(RENAME, { id, name: 'never' }, { token: WRITER });
    expect(r.errors?.[0]?.extensions?.code, r.raw).not.toBe('OUTCOME_UNKNOWN');
    await sleep(SOON_MS + 200);
    expect(calls(cinder, 'GET', path, token)).toBe(reads);
    expect(feed.results).toHaveLength(1);
  });
});
