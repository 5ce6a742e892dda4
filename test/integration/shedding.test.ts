// Load shedding at the door (issue 18): once an upstream's bulkhead is saturated, new GraphQL requests get 503
// OVERLOADED with Retry-After at once and cost no upstream call, instead of 200s with FACADE_BULKHEAD_FULL inside.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SHED_QUEUE_SHARE } from '../../src/http/admission.js';
import { REPEAT_REFUSAL_HOLD_MS } from '../../src/http/pacing.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

interface Answer {
  status: number;
  retryAfter: string | undefined;
  text: string;
  ms: number;
}

async function post(url: string, query: string): Promise<Answer> {
  const t0 = Date.now();
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const text = await res.body.text();
  return { status: res.statusCode, retryAfter: res.headers['retry-after'] as string | undefined, text, ms: Date.now() - t0 };
}

/** One Cinder GET per alias (15, the alias limit): a group read by an id of its own. */
const fanOut = () => `{ ${Array.from({ length: 15 }, (_, i) => `g${i}: group(id: "${randomUUID()}") { id }`).join(' ')} }`;

async function slowCinder(delayMs: number) {
  // One client stands for many here (no token: one address): the facade's rules are tested, not one caller's share.
  f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x', MAX_IN_FLIGHT_PER_CALLER: '0' });
  await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery out of the way
  const sim = f.app.simulators.cinder!;
  const bulkhead = f.app.upstreams.cinder!.http.bulkhead;
  sim.setDelay(delayMs);
  sim.resetCalls();
  return { f, sim, bulkhead };
}

const bulkheadFull = (answers: Answer[]) => answers.filter((a) => a.status === 200 && a.text.includes('FACADE_BULKHEAD_FULL'));

describe('load shedding at the door', () => {
  it('once the Cinder bulkhead is saturated, new requests get 503 OVERLOADED + Retry-After at once, at zero upstream calls', async () => {
    const { f, sim, bulkhead } = await slowCinder(1_500);
    // 18 requests x (1 listing, then 15 reads): 270 reads at once, 64 in flight (every connection) and 206 of the
    // 256 waiting places taken: over three quarters, short of full.
    const saturating = Array.from({ length: 18 }, () => post(f.url, fanOut()));
    const saturated = await waitFor(async () => bulkhead.queued, (q) => q > bulkhead.maxQueued * SHED_QUEUE_SHARE, 3_000, 10);
    expect(saturated).toBeGreaterThan(bulkhead.maxQueued * SHED_QUEUE_SHARE);

    const marker = randomUUID();
    const late = await Promise.all(Array.from({ length: 20 }, () => post(f.url, `{ group(id: "${marker}") { id } }`)));
    for (const a of late) {
      expect(a.status, a.text).toBe(503);
      expect(a.retryAfter).toBe('1');
      expect(JSON.parse(a.text).errors[0].extensions.code).toBe('OVERLOADED');
      expect(JSON.parse(a.text).errors[0].message).toMatch(/cinder service is saturated/);
      expect(a.ms).toBeLessThan(500);
    }

    const early = await Promise.all(saturating);
    expect(early.map((a) => a.status)).toEqual(Array(18).fill(200));
    expect(bulkheadFull(early)).toEqual([]);
    // Every call of the saturating requests went out; none for the refused ones, then or later.
    expect(sim.calls).toHaveLength(18 * 16);
    expect(sim.calls.filter((c) => c.url.includes(marker))).toEqual([]);
  });

  it('requests with wide later round trips: the limit adapts until no 200 holds FACADE_BULKHEAD_FULL', async () => {
    const { f } = await slowCinder(100);
    const started = Date.now();
    const answers: (Answer & { sentAt: number })[] = [];
    // 40 clients x (1 listing, then 15 reads once it is back) = 640 calls wanted, against 64 connections and 256
    // waiting places. The queue check sees each request's listing, not the reads that follow it; the adaptive
    // limit learns how many such requests fit. (The clients pause 50 ms after a 503 to spare the test machine.)
    const client = async () => {
      while (Date.now() - started < 8_000) {
        const sentAt = Date.now() - started;
        const a = await post(f.url, fanOut());
        answers.push({ ...a, sentAt });
        if (a.status === 503) await new Promise((r) => setTimeout(r, 50));
      }
    };
    await Promise.all(Array.from({ length: 40 }, client));
    const count = (xs: Answer[]) => ({
      ok: xs.filter((a) => a.status === 200 && !a.text.includes('"errors"')).length,
      partial: bulkheadFull(xs).length,
      shed: xs.filter((a) => a.status === 503).length,
    });
    const adapted = answers.filter((a) => a.sentAt > 4_000);
    const report = `first 4 s ${JSON.stringify(count(answers.filter((a) => a.sentAt <= 4_000)))}, then ${JSON.stringify(count(adapted))}, limit ${f.app.server.admissionLimit()}`;
    expect(answers.filter((a) => a.status !== 200 && a.status !== 503).map((a) => a.text)).toEqual([]);
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(a.retryAfter).toBe('1');
      expect(JSON.parse(a.text).errors[0].extensions.code).toBe('OVERLOADED');
    }
    expect(f.app.server.admissionLimit(), report).toBeLessThan(40);
    // Once adapted, a partial answer is rare (a loaded machine delays answers and lets a few through); without the
    // adaptive limit a partial answer is the common case for these requests.
    expect(count(adapted).partial, report).toBeLessThanOrEqual(Math.ceil(adapted.length * 0.01));
    expect(count(adapted).ok, report).toBeGreaterThan(0);
    expect(count(adapted).shed, report).toBeGreaterThan(0);
  }, 20_000);

  it('a client that sends again at once on the refused connection gets its next 503 after a pause; others at once', async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x', MAX_IN_FLIGHT: '1' });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    f.app.simulators.cinder!.setDelay(3_000);
    const holding = post(f.url, `{ group(id: "${randomUUID()}") { id } }`);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);

    const body = JSON.stringify({ query: '{ about { services { name } } }' });
    const request = `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const socket = connect(Number(new URL(f.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString()));
    /** Sends one request on the connection; resolves with the ms until its whole answer is in. */
    const exchange = async () => {
      received = '';
      const t0 = performance.now();
      socket.write(request);
      while (!/\r\n\r\n[\s\S]*\}\]\}$/.test(received)) await new Promise((r) => setImmediate(r));
      expect(received).toMatch(/^HTTP\/1\.1 503 [\s\S]*retry-after: 1[\s\S]*"OVERLOADED"/i);
      return performance.now() - t0;
    };
    expect(await exchange()).toBeLessThan(REPEAT_REFUSAL_HOLD_MS / 2);
    // Retry-After said 1 s; sent again at once, the refusal waits.
    const repeated = await exchange();
    expect(repeated).toBeGreaterThanOrEqual(REPEAT_REFUSAL_HOLD_MS - 5);
    expect(repeated).toBeLessThan(REPEAT_REFUSAL_HOLD_MS * 3);
    // Another connection's first refusal is not held.
    const other = await post(f.url, '{ about { services { name } } }');
    expect(other.status).toBe(503);
    expect(other.ms).toBeLessThan(REPEAT_REFUSAL_HOLD_MS / 2);
    socket.destroy();
    expect((await holding).status).toBe(200);
  });

  // A burst is what the queue absorbs: a queue that stood for 100 ms lowered the limit mid-burst, and the next
  // burst was half refused (tenants.test.ts, under the full suite's load: 1,157 of 2,000 single reads).
  it('bursts of single reads that keep the queue busy for about 200 ms each, back to back, are all answered', async () => {
    f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x', MAX_IN_FLIGHT_PER_CALLER: '0' });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    f.app.simulators.cinder!.setDelay(60);
    const read = `{ group(id: "${randomUUID()}") { id } }`;
    const statuses: number[] = [];
    // 180 reads on 64 connections at 60 ms: 3 waves, about 180 ms of queue per burst (116 queued: under rule 2's 192).
    for (let burst = 0; burst < 4; burst++) statuses.push(...(await Promise.all(Array.from({ length: 180 }, () => post(f!.url, read)))).map((a) => a.status));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(f.app.server.admissionLimit()).toBeGreaterThan(180);
  });
});
