import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';
import { Bulkhead, CircuitBreaker, RetryBudget, retryDelayMs } from '../../src/upstreams/resilience.js';

describe('CircuitBreaker', () => {
  const opts = { window: 10, minCalls: 4, failureRate: 0.5, openMs: 1_000 };

  it('stays closed below the failure rate or the minimum number of calls', () => {
    const b = new CircuitBreaker(opts);
    b.record(false);
    b.record(false);
    b.record(false);
    expect(b.state).toBe('closed'); // 3 calls: fewer than minCalls
    const c = new CircuitBreaker(opts);
    for (const ok of [false, true, true, true, false, true, true]) c.record(ok);
    expect(c.state).toBe('closed'); // never half of the calls failed
    c.record(false);
    c.record(false);
    expect(c.state).toBe('closed'); // 4 of 9
    c.record(false);
    expect(c.state).toBe('open'); // 5 of 10
  });

  it('opens at the failure rate, lets exactly one probe through after openMs, and closes when it succeeds', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 4; i++) b.record(false);
    expect(b.state).toBe('open');
    expect(b.allow()).toBe(false);
    expect(b.retryInMs()).toBe(1_000);
    now = 1_000;
    expect(b.state).toBe('half-open');
    expect(b.allow()).toBe(true);
    expect(b.allow()).toBe(false); // one probe at a time
    b.record(true);
    expect(b.state).toBe('closed');
    expect(b.allow()).toBe(true);
  });

  it('a failed probe opens it again for another openMs', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 4; i++) b.record(false);
    now = 1_500;
    expect(b.allow()).toBe(true);
    b.record(false);
    expect(b.state).toBe('open');
    now = 2_000;
    expect(b.state).toBe('open');
    now = 2_500;
    expect(b.state).toBe('half-open');
  });

  it('an open breaker fails a call in well under a millisecond, without touching the network', async () => {
    const breaker = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) breaker.record(false);
    // Port 9 on loopback: nothing listens, so any attempt to connect would show up as UPSTREAM_UNAVAILABLE
    // with a connection error, not as "circuit open".
    const client = new HttpClient({ service: 'cinder', endpoint: 'http://127.0.0.1:9', agent: createAgent(), breaker });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const err = await client.send({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
      times.push(performance.now() - t0);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).message).toMatch(/circuit open/);
    }
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]).toBeLessThan(1);
  });
});

describe('CircuitBreaker: no caller opens it for the others', () => {
  const opts = { window: 10, minCalls: 4, failureRate: 0.5, openMs: 1_000 };

  it("one caller's answered failures never open it, however many", () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 100; i++) b.record(false, 'token:noisy');
    expect(b.state).toBe('closed');
  });

  it('neither do two callers: answered failures need three distinct callers in the window', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 20; i++) b.record(false, i % 2 ? 'token:a' : 'token:b');
    expect(b.state).toBe('closed');
    b.record(false, 'token:c');
    expect(b.state).toBe('open');
  });

  it('a real outage seen by many callers opens it as soon as the rate and the minimum are met', () => {
    const b = new CircuitBreaker(opts);
    for (const who of ['token:a', 'token:b', 'token:c']) b.record(false, who);
    expect(b.state).toBe('closed'); // 3 calls: fewer than minCalls
    b.record(false, 'token:a');
    expect(b.state).toBe('open');
  });

  it('failures no request can cause (never sent: refused, connect timeout) count for everyone: one caller opens it', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) b.record(false);
    expect(b.state).toBe('open');
  });

  it("one caller's flood does not lend its failures to a few failures that count for everyone", () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 8; i++) b.record(false, 'token:noisy');
    b.record(false);
    b.record(false);
    expect(b.state).toBe('closed'); // 2 of 10 count
    for (let i = 0; i < 3; i++) b.record(false);
    expect(b.state).toBe('open'); // 5 of 10
  });

  it("half-open: one caller's failed probe does not re-open it; that caller waits openMs to probe again, others probe", () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 4; i++) b.record(false);
    now = 1_000;
    expect(b.allow('token:noisy')).toBe(true);
    b.record(false, 'token:noisy');
    expect(b.state).toBe('half-open');
    expect(b.allow('token:noisy')).toBe(false);
    expect(b.allow('token:alice')).toBe(true);
    b.record(true, 'token:alice');
    expect(b.state).toBe('closed');
  });

  it('half-open: failed probes of three distinct callers, or one that counts for everyone, open it again', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 4; i++) b.record(false);
    now = 1_000;
    for (const who of ['token:a', 'token:b']) {
      expect(b.allow(who)).toBe(true);
      b.record(false, who);
      expect(b.state).toBe('half-open');
    }
    expect(b.allow('token:c')).toBe(true);
    b.record(false, 'token:c');
    expect(b.state).toBe('open');
    now = 2_000;
    expect(b.allow('token:d')).toBe(true);
    b.record(false);
    expect(b.state).toBe('open');
  });

  it('a lone caller whose probe failed probes again after openMs, not never', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 4; i++) b.record(false);
    now = 1_000;
    expect(b.allow('token:solo')).toBe(true);
    b.record(false, 'token:solo');
    now = 1_999;
    expect(b.allow('token:solo')).toBe(false);
    now = 2_000;
    expect(b.allow('token:solo')).toBe(true);
    b.record(true, 'token:solo');
    expect(b.state).toBe('closed');
  });

  it('HttpClient: calls the facade refused itself (deadline already passed) are no failures at all', async () => {
    const breaker = new CircuitBreaker(opts);
    const client = new HttpClient({ service: 'cinder', endpoint: 'http://127.0.0.1:9', agent: createAgent(), breaker });
    for (let i = 0; i < 10; i++) {
      await expect(client.send({ method: 'GET', path: '/x', deadline: Date.now() - 1 })).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    }
    expect(breaker.state).toBe('closed');
  });

  it('HttpClient: an upstream that takes the request and never answers is blamed on callers: it opens with three of them', async () => {
    const { createServer } = await import('node:http');
    const server = createServer(() => {}); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const client = new HttpClient({
      service: 'manila',
      endpoint: `http://127.0.0.1:${port}`,
      agent: createAgent({ connectMs: 1_000, headersMs: 100, bodyMs: 100 }),
      breaker: new CircuitBreaker(opts),
    });
    const call = (identity: string) =>
      client.as({ token: null, requestId: 'r', identity }, { method: 'GET', path: '/x' }).catch((e: unknown) => e as UpstreamError);
    try {
      const alone = await Promise.all(Array.from({ length: 6 }, () => call('token:heavy')));
      for (const e of alone) expect(e).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 0 });
      expect(client.breaker.state).toBe('closed');
      await Promise.all([call('token:b'), call('token:c')]);
      expect(client.breaker.state).toBe('open');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("HttpClient: a caller's 500s are its own, a refused connection is everyone's", async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"computeFault": {"code": 500, "message": "boom"}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const caller = { token: 'noisy', requestId: 'req-1', identity: 'token:noisy' };
    try {
      const answered = new HttpClient({ service: 'cinder', endpoint: `http://127.0.0.1:${port}`, agent: createAgent(), breaker: new CircuitBreaker(opts) });
      for (let i = 0; i < 20; i++) await expect(answered.as(caller, { method: 'GET', path: '/x' })).rejects.toMatchObject({ status: 500 });
      expect(answered.breaker.state).toBe('closed');
    } finally {
      server.close();
    }
    const refused = new HttpClient({ service: 'cinder', endpoint: 'http://127.0.0.1:9', agent: createAgent(), breaker: new CircuitBreaker(opts) });
    for (let i = 0; i < 4; i++) await refused.as(caller, { method: 'POST', path: '/x', body: {} }).catch(() => undefined);
    expect(refused.breaker.state).toBe('open');
  });
});

describe('RetryBudget', () => {
  it('allows a burst, then about one retry per ten first attempts', () => {
    const budget = new RetryBudget(0.1, 3);
    expect([budget.spend(), budget.spend(), budget.spend(), budget.spend()]).toEqual([true, true, true, false]);
    for (let i = 0; i < 9; i++) budget.earn();
    expect(budget.spend()).toBe(false);
    budget.earn();
    expect(budget.spend()).toBe(true);
  });
});

describe('retryDelayMs', () => {
  it('honours Retry-After in seconds, capped, and otherwise jitters between 50 and 150 ms', () => {
    expect(retryDelayMs('0.3', 1_000)).toBe(300);
    expect(retryDelayMs('120', 1_000)).toBe(1_000);
    expect(retryDelayMs(undefined, 1_000, () => 0)).toBe(50);
    expect(retryDelayMs(undefined, 1_000, () => 0.999)).toBe(149);
  });
});

describe('Bulkhead', () => {
  it('passes a slot straight to the next waiter, refuses past the queue, and times a waiter out at its deadline', async () => {
    const b = new Bulkhead(1, 1);
    const first = await b.enter();
    const second = b.enter();
    await expect(b.enter()).rejects.toMatchObject({ reason: 'full' });
    expect([b.inFlight, b.queued]).toEqual([1, 1]);
    first();
    const releaseSecond = await second;
    expect([b.inFlight, b.queued]).toEqual([1, 0]);
    const late = b.enter(Date.now() + 30);
    await expect(late).rejects.toMatchObject({ reason: 'timeout' });
    expect(b.queued).toBe(0);
    releaseSecond();
    expect(b.inFlight).toBe(0);
  });

  it('tryEnter takes a free slot without waiting, and says null when there is none', () => {
    const b = new Bulkhead(1, 1);
    const release = b.tryEnter();
    expect(release).toBeTypeOf('function');
    expect(b.tryEnter()).toBeNull();
    expect([b.inFlight, b.queued]).toEqual([1, 0]);
    release!();
    expect(b.inFlight).toBe(0);
  });

  /** A server that answers after 20 ms and counts the most requests it had open at once. */
  async function slowServer() {
    const { createServer } = await import('node:http');
    const seen = { open: 0, most: 0 };
    const server = createServer((_req, res) => {
      seen.open++;
      seen.most = Math.max(seen.most, seen.open);
      setTimeout(() => {
        seen.open--;
        res.end('{}');
      }, 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const client = new HttpClient({ service: 'manila', endpoint: `http://127.0.0.1:${port}`, agent: createAgent(), bulkhead: new Bulkhead(3, 4) });
    return { client, seen, close: () => server.close() };
  }

  const caller = (n: number) => ({ token: null, requestId: `req-${n}`, deadline: Date.now() + 5_000, lanes: new Map() });
  const refusedAsFull = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' && (r.reason as UpstreamError).upstreamCode === 'FACADE_BULKHEAD_FULL';

  it("one request's own fan-out waits in its lane instead of filling the shared queue: none of it is refused", async () => {
    const { client, seen, close } = await slowServer();
    const one = caller(1);
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => client.as(one, { method: 'GET', path: `/x${i}` })));
    close();
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(seen.most).toBe(3);
  });

  it('requests beyond what the connections and the shared queue hold are still refused, never queued silently', async () => {
    const { client, seen, close } = await slowServer();
    const callers = [caller(1), caller(2), caller(3)];
    const results = await Promise.all(
      callers.map((c) => Promise.allSettled(Array.from({ length: 10 }, (_, i) => client.as(c, { method: 'GET', path: `/x${i}` })))),
    );
    close();
    expect(seen.most).toBe(3);
    // The first request holds the 3 connections, the second waits in the shared queue, the third finds it full.
    expect(results[0]!.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(results[1]!.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const third = results[2]!;
    expect(third.filter(refusedAsFull).length).toBeGreaterThan(0);
    expect(third.filter((r) => r.status === 'rejected' && !refusedAsFull(r))).toEqual([]);
  });

  it('an HttpClient never has more calls in flight to its upstream than the bulkhead allows', async () => {
    const { client, seen, close } = await slowServer();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.send({ method: 'GET', path: '/x' })));
    close();
    expect(seen.most).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(7);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/not queueing more/) });
  });
});
