// One caller cannot take the facade from the others (MAX_IN_FLIGHT_PER_CALLER): a caller's requests and
// subscription starts in progress are bounded, so its flood is refused (429) while other callers are answered.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type Feed, sleep, sseSubscribe, wsConnection } from '../helpers/live.js';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';

let f: Facade | undefined;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const x of open.splice(0)) x.close();
  await f?.close();
  f = undefined;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: any;
}

async function post(url: string, query: string, token: string): Promise<Answer> {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': token }, body: JSON.stringify({ query }) });
  const text = await res.body.text();
  return { status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined, body: JSON.parse(text) };
}

/** `known`: tokens an upstream has accepted before the test starts, each a caller of its own (see doorCaller). */
async function slowCinder(env: Record<string, string>, delayMs: number, known: string[] = []) {
  f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x', ...env });
  await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery out of the way
  for (const token of known) await f.ok('{ groups(first: 1) { nodes { id } } }', undefined, { token });
  const sim = f.app.simulators.cinder!;
  sim.setDelay(delayMs);
  sim.resetCalls();
  return { f, sim };
}

const refusedCount = async (url: string) => {
  const text = await (await request(url.replace(/\/graphql$/, '/metrics'))).body.text();
  return Number(/^graphql_requests_refused_total\{reason="caller_cap"\} (\d+)/m.exec(text)?.[1] ?? 0);
};

const readGroup = () => `{ group(id: "${randomUUID()}") { id } }`;
const SCREEN = '{ groups(first: 2) { nodes { id volumes { id } snapshots(first: 2) { nodes { id } } } } }';

describe('MAX_IN_FLIGHT_PER_CALLER', () => {
  it('a caller past its limit gets 429 TOO_MANY_REQUESTS with Retry-After at once, at no upstream call; another caller is answered', async () => {
    const { f, sim } = await slowCinder({ MAX_IN_FLIGHT_PER_CALLER: '4' }, 400, ['greedy', 'someone-else']);
    let answered = 0;
    const mine = Array.from({ length: 4 }, () => post(f.url, readGroup(), 'greedy').finally(() => answered++));
    await sleep(100);
    const over = await Promise.all(Array.from({ length: 3 }, () => post(f.url, readGroup(), 'greedy')));
    expect(answered).toBe(0); // refused while its four were still at the slow upstream, not queued behind them
    for (const a of over) {
      expect(a.status).toBe(429);
      expect(a.retryAfter).toBe('1');
      expect(a.body.errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
      expect(a.body.errors[0].message).toMatch(/4 requests in progress \(MAX_IN_FLIGHT_PER_CALLER\)/);
    }
    expect(sim.calls.length).toBe(4);
    const other = await post(f.url, readGroup(), 'someone-else');
    expect(other.status).toBe(200);
    for (const a of await Promise.all(mine)) expect(a.status).toBe(200);
    // Its slots are back once its answers are out.
    expect((await post(f.url, readGroup(), 'greedy')).status).toBe(200);
    expect(await refusedCount(f.url)).toBe(3);
  });

  it('one caller churning subscriptions on new ids no longer starves the others: their screens are answered', async () => {
    // Four connections to Cinder and 16 waiting places: the door sheds new requests once 12 are waiting.
    const { f } = await slowCinder({ UPSTREAM_MAX_CONNECTIONS: '4', MAX_IN_FLIGHT_PER_CALLER: '8' }, 100, ['churner', 'bystander']);
    const conn = wsConnection(f.url, { 'X-Auth-Token': 'churner' });
    open.push({ close: () => conn.dispose() });
    let stop = false;
    let results = 0;
    const churn = async () => {
      while (!stop) {
        const sub = conn.subscribe('subscription ($id: ID!) { group(id: $id) { id status } }', { id: randomUUID() });
        if (await Promise.race([sub.next(10_000).then(() => true, () => false), sub.completed.then(() => false)])) results++;
        sub.close();
      }
    };
    // 40 at once on one WebSocket (under MAX_SUBSCRIPTIONS_PER_CONNECTION), each an upstream read as it starts.
    const churners = Array.from({ length: 40 }, churn);
    await sleep(500);
    let mostInProgress = 0;
    const sampler = setInterval(() => (mostInProgress = Math.max(mostInProgress, f.app.server.inFlight())), 5);
    const answers: Answer[] = [];
    for (let i = 0; i < 8; i++) answers.push(await post(f.url, SCREEN, 'bystander'));
    clearInterval(sampler);
    stop = true;
    await Promise.all(churners);
    // Before the limit applied to subscriptions, the bystander's screens were 503 OVERLOADED while the churn lasted.
    expect(answers.map((a) => `${a.status} ${a.body.errors?.[0]?.extensions?.code ?? 'ok'}`)).toEqual(Array(8).fill('200 ok'));
    // The churner is served too, eight starts at a time while the rest wait their turn (and the bystander's one).
    expect(results).toBeGreaterThan(8);
    expect(mostInProgress).toBeGreaterThanOrEqual(8);
    expect(mostInProgress).toBeLessThanOrEqual(9);
  });

  it('a subscription start waits for its caller\'s turn and holds the slot until its first result; a query past the limit meanwhile gets 429', async () => {
    const { f } = await slowCinder({ MAX_IN_FLIGHT_PER_CALLER: '1' }, 300, ['one']);
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'other' })).groups.nodes[0].id;
    const query = 'subscription ($id: ID!) { group(id: $id) { id } }';
    let queryAnswered = false;
    const slow = post(f.url, readGroup(), 'one').finally(() => (queryAnswered = true));
    await sleep(100);
    const feed: Feed = await sseSubscribe(f.url, query, { id }, { 'x-auth-token': 'one' });
    open.push(feed);
    expect((await slow).status).toBe(200);
    // Its start waited for the query's slot; now it holds it, until its first result: another query is refused.
    const refused = await post(f.url, readGroup(), 'one');
    expect(refused.status).toBe(429);
    expect(refused.body.errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
    expect(queryAnswered).toBe(true);
    expect((await feed.next()).data.group.id).toBe(id);
    // The subscription goes on, and its caller's next query is admitted.
    expect((await post(f.url, readGroup(), 'one')).status).toBe(200);
    expect(feed.isComplete()).toBe(false);
  });

  it('without Keystone, made-up tokens count against their client address until an upstream accepts one: a token each is not a caller each', async () => {
    const { f, sim } = await slowCinder({ MAX_IN_FLIGHT_PER_CALLER: '4' }, 400, ['member']);
    const madeUp = Array.from({ length: 10 }, () => post(f.url, readGroup(), `made-up-${randomUUID()}`));
    await sleep(100);
    // A token an upstream has accepted is its own caller, whatever its address's unverified tokens do.
    expect((await post(f.url, readGroup(), 'member')).status).toBe(200);
    const answers = await Promise.all(madeUp);
    // Before, each made-up token was a caller of its own: ten upstream calls at once, bounded by nothing per caller.
    expect(answers.map((a) => `${a.status} ${a.body.errors?.[0]?.extensions?.code ?? 'ok'}`).sort()).toEqual([
      ...Array(4).fill('200 ok'),
      ...Array(6).fill('429 TOO_MANY_REQUESTS'),
    ].sort());
    expect(sim.calls.length).toBe(5);
  });

  it('without Keystone, a token counts as its own caller from the first upstream answer that shows it is real, and a refused one never does', async () => {
    const { f, sim } = await slowCinder({ MAX_IN_FLIGHT_PER_CALLER: '1' }, 300);
    // Its first request counts against the address, and the address's next one is refused meanwhile.
    const first = post(f.url, readGroup(), 'fresh');
    await sleep(100);
    expect((await post(f.url, readGroup(), `made-up-${randomUUID()}`)).status).toBe(429);
    expect((await first).status).toBe(200);
    // Accepted: now its own caller, apart from its address.
    const own = post(f.url, readGroup(), 'fresh');
    await sleep(100);
    expect((await post(f.url, readGroup(), 'fresh')).status).toBe(429);
    expect((await post(f.url, readGroup(), `made-up-${randomUUID()}`)).status).toBe(200);
    expect((await own).status).toBe(200);
    // Moved at the first answer, not at the end: a screen's later reads no longer hold its address's share.
    sim.setDelay(0);
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'fresh' })).groups.nodes[0].id;
    sim.setDelay(300);
    const twoReads = post(f.url, `{ group(id: "${id}") { id volumes { id } } }`, 'newcomer');
    await sleep(450);
    expect((await post(f.url, readGroup(), `made-up-${randomUUID()}`)).status).toBe(200);
    expect((await twoReads).body.data.group.id).toBe(id);
    // A token Cinder answers 401 stays its address's.
    sim.setDelay(0);
    sim.injectFault({ status: 401, json: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }, times: 1 });
    const refused = await post(f.url, readGroup(), 'revoked');
    expect(refused.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    sim.setDelay(300);
    const again = post(f.url, readGroup(), 'revoked');
    await sleep(100);
    expect((await post(f.url, readGroup(), `made-up-${randomUUID()}`)).status).toBe(429);
    expect((await again).status).toBe(200);
  });

  it('without Keystone, a subscription\'s reads make its token a caller of its own too', async () => {
    const { f } = await slowCinder({ MAX_IN_FLIGHT_PER_CALLER: '1' }, 300, ['member']);
    const id = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'member' })).groups.nodes[0].id;
    const feed: Feed = await sseSubscribe(f.url, 'subscription ($id: ID!) { group(id: $id) { id } }', { id }, { 'x-auth-token': 'watcher' });
    open.push(feed);
    expect((await feed.next()).data.group.id).toBe(id);
    // Its address is busy with a made-up token's read; the watcher's own query is not held by it.
    const busy = post(f.url, readGroup(), `made-up-${randomUUID()}`);
    await sleep(100);
    expect((await post(f.url, readGroup(), 'watcher')).status).toBe(200);
    expect((await busy).status).toBe(200);
  });

  it('with Keystone, made-up tokens count against their client address until Keystone accepts one: a token each is not a caller each', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_IN_FLIGHT_PER_CALLER: '4' });
    const member = `member:${DEMO_PROJECT.id}`;
    await f.ok('{ viewer { user { name } } }', undefined, { token: member }); // accepted, and remembered
    const keystone = f.app.identity.simulator!;
    keystone.setDelay(400);
    keystone.resetCalls();
    const madeUp = Array.from({ length: 10 }, () => post(f!.url, '{ viewer { user { name } } }', `made-up-${randomUUID()}`));
    await sleep(100);
    // The accepted token is its own caller, whatever its address's unverified tokens do.
    const known = await post(f.url, '{ viewer { user { name } } }', member);
    expect(known.status).toBe(200);
    const answers = await Promise.all(madeUp);
    expect(answers.map((a) => a.status).sort()).toEqual([401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
    // Before, each made-up token was a caller of its own: ten validations at once, and nothing bounded them.
    expect(keystone.calls.filter((c) => c.path.endsWith('/auth/tokens')).length).toBe(4);
  });

  it('a new token counts against its address only while Keystone validates it: a burst of new users behind one address is not held to one caller\'s share', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', MAX_IN_FLIGHT_PER_CALLER: '2' });
    await f.ok('{ groups(first: 1) { nodes { id } } }', undefined, { token: `admin:${DEMO_PROJECT.id}` }); // versions read
    f.app.simulators.cinder!.setDelay(300);
    const tokens = ['member', 'reader'].flatMap((role) => [DEMO_PROJECT.id, BETA_PROJECT.id].map((p) => `${role}:${p}`));
    // Four new users from one address, 30 ms apart, each screen 300 ms at Cinder.
    const answers: Promise<Answer>[] = [];
    for (const token of tokens) {
      answers.push(post(f.url, '{ groups(first: 1) { nodes { id } } }', token));
      await sleep(30);
    }
    // Before, each held its address's slot for its whole request: the third and fourth were 429.
    expect((await Promise.all(answers)).map((a) => a.status)).toEqual([200, 200, 200, 200]);
  });
});
