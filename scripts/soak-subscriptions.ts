// npm run soak:subscriptions: 1,000 subscriptions over 100 Cinder groups (10 each: two tokens, SSE and WebSocket
// half and half) held for SOAK_SECONDS (default 300) against the facade in its own process, in front of the
// simulator. Every 10 s five groups change status upstream. Reports the facade's RSS after warm-up and at the end
// and the upstream polls per second against what one poller per (token, group) at SUBSCRIPTION_POLL_MAX_MS
// makes; then SIGTERM, and every subscription must complete. Exits non-zero when RSS grows more than
// SOAK_MAX_RSS_GROWTH_MB (default 30), the poll rate is off by more than -10 % / +20 %, a change was not
// delivered to all its subscribers, a subscription ended or erred early, or the shutdown did not complete them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { startCinderSimulator } from '../src/simulator/cinder/index.js';
import { type Feed, sseSubscribe, wsConnection } from '../test/helpers/live.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const PORT = Number(process.env.SOAK_PORT ?? 4778);
const POLL_MAX_MS = Number(process.env.SOAK_POLL_MAX_MS ?? 2_000);
const MAX_RSS_GROWTH_MB = Number(process.env.SOAK_MAX_RSS_GROWTH_MB ?? 30);
const OBJECTS = 100;
const PER_OBJECT = 10;
const TOKENS = ['soak-a', 'soak-b'];
const WARM_UP_MS = 4 * POLL_MAX_MS + 2_000;
const CHANGE_EVERY_MS = 10_000;
const CHANGED_PER_ROUND = 5;
const QUERY = 'subscription ($id: ID!) { group(id: $id) { id name status } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const rssMb = (pid: number) => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);

interface Subscriber {
  groupId: string;
  feed: Feed;
}

async function untilHealthy(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      const res = await request(`${url}/healthz`);
      await res.body.text();
      if (res.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error('the facade did not start');
}

/** Half over SSE (one connection each), half over WebSocket (50 per connection, the default limit). */
async function subscribeAll(url: string, groupIds: string[]): Promise<{ subscribers: Subscriber[]; closeAll(): void }> {
  const subscribers: Subscriber[] = [];
  const sockets: (ReturnType<typeof wsConnection> & { token: string; count: number })[] = [];
  let i = 0;
  for (const groupId of groupIds) {
    for (let n = 0; n < PER_OBJECT; n++, i++) {
      const token = TOKENS[n % TOKENS.length]!;
      if (n < PER_OBJECT / 2) {
        subscribers.push({ groupId, feed: await sseSubscribe(`${url}/graphql`, QUERY, { id: groupId }, { 'x-auth-token': token }) });
        continue;
      }
      let socket = sockets.find((s) => s.token === token && s.count < 50);
      if (!socket) sockets.push((socket = Object.assign(wsConnection(`${url}/graphql`, { 'X-Auth-Token': token }), { token, count: 0 })));
      socket.count++;
      subscribers.push({ groupId, feed: socket.subscribe(QUERY, { id: groupId }) });
    }
  }
  for (const s of subscribers) await s.feed.next(30_000);
  return { subscribers, closeAll: () => sockets.forEach((s) => void s.dispose()) };
}

async function main() {
  const sim = await startCinderSimulator({ extraGroups: OBJECTS, transitionMs: 50 });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    // 500 SSE subscribers, a connection each, all from this one address: the soak is every client at once.
    env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', CINDER_URL: sim.endpoint, SUBSCRIPTION_POLL_MAX_MS: String(POLL_MAX_MS), SHUTDOWN_GRACE_MS: '5000', LOG_LEVEL: 'warn', MAX_CONNECTIONS_PER_CLIENT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${PORT}`;
  await untilHealthy(url);
  const admin = (path: string, body: unknown) =>
    request(`${sim.endpoint}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'openstack-api-version': 'volume 3.70' }, body: JSON.stringify(body) }).then((r) => r.body.text());
  const groupIds = [...sim.state.groups.keys()].slice(-OBJECTS);
  for (const id of groupIds) await admin(`/groups/${id}/action`, { reset_status: { status: 'available' } });

  const opened = Date.now();
  const { subscribers, closeAll } = await subscribeAll(url, groupIds);
  console.log(`soak-subscriptions: ${subscribers.length} subscriptions over ${groupIds.length} groups open in ${Date.now() - opened} ms; ${SECONDS} s, poll maximum ${POLL_MAX_MS} ms, facade pid ${child.pid}`);
  await sleep(WARM_UP_MS);
  sim.resetCalls();
  const measuredFrom = Date.now();
  const rssStart = rssMb(child.pid!);
  let rssPeak = rssStart;
  let changes = 0;
  const statusOf = new Map<string, string>();
  while (Date.now() - measuredFrom < SECONDS * 1_000) {
    await sleep(CHANGE_EVERY_MS);
    for (let k = 0; k < CHANGED_PER_ROUND; k++) {
      const id = groupIds[(changes + k) % groupIds.length]!;
      const next = statusOf.get(id) === 'error' ? 'available' : 'error';
      statusOf.set(id, next);
      await admin(`/groups/${id}/action`, { reset_status: { status: next } });
    }
    changes += CHANGED_PER_ROUND;
    rssPeak = Math.max(rssPeak, rssMb(child.pid!));
    const polled = sim.calls.filter((c) => c.method === 'GET').length;
    console.log(JSON.stringify({ seconds: Math.round((Date.now() - measuredFrom) / 1000), rssMb: rssMb(child.pid!), pollsPerSecond: +(polled / ((Date.now() - measuredFrom) / 1000)).toFixed(1) }));
  }
  // Each change reaches its subscribers within two poll intervals.
  await sleep(2 * POLL_MAX_MS + 1_000);
  const elapsedS = (Date.now() - measuredFrom) / 1000;
  const polls = sim.calls.filter((c) => c.method === 'GET' && /\/groups\/[0-9a-f-]+$/.test(c.path)).length;
  const rssEnd = rssMb(child.pid!);
  const pollers = groupIds.length * TOKENS.length;
  const expectedRate = pollers / (POLL_MAX_MS / 1000);
  const rate = polls / elapsedS;
  const delivered = subscribers.reduce((sum, s) => sum + s.feed.results.length - 1, 0);
  const expectedDeliveries = changes * PER_OBJECT;
  const erred = subscribers.filter((s) => s.feed.results.some((r) => r.errors) || s.feed.isComplete()).length;

  child.kill('SIGTERM');
  const code = await exited;
  await sleep(200);
  const incomplete = subscribers.filter((s) => !s.feed.isComplete()).length;
  closeAll();
  await sim.close();

  console.log(`facade RSS: ${rssStart} MB after warm-up, ${rssEnd} MB at the end (peak ${rssPeak} MB)`);
  console.log(`upstream polls: ${rate.toFixed(1)}/s for ${pollers} pollers; expected ${expectedRate.toFixed(1)}/s (one per poller every ${POLL_MAX_MS} ms)`);
  console.log(`changes: ${changes}, deliveries ${delivered} of ${expectedDeliveries}; SIGTERM: exit ${code}, ${incomplete} subscriptions not completed`);
  const problems: string[] = [];
  if (rssEnd - rssStart > MAX_RSS_GROWTH_MB) problems.push(`RSS grew by ${rssEnd - rssStart} MB (bound ${MAX_RSS_GROWTH_MB} MB)`);
  if (rate < expectedRate * 0.9 || rate > expectedRate * 1.2) problems.push(`poll rate ${rate.toFixed(1)}/s is off the expected ${expectedRate.toFixed(1)}/s`);
  if (delivered !== expectedDeliveries) problems.push(`${delivered} deliveries, expected ${expectedDeliveries}`);
  if (erred) problems.push(`${erred} subscriptions erred or ended early`);
  if (code !== 0 || incomplete) problems.push(`shutdown: exit ${code}, ${incomplete} subscriptions not completed`);
  console.log(problems.length ? `soak-subscriptions: FAILED\n  ${problems.join('\n  ')}` : 'soak-subscriptions: ok (memory flat, poll rate as expected, every change delivered, clean shutdown)');
  process.exit(problems.length ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
