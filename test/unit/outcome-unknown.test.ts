// A write that was sent and then lost its answer (the connection closed, a timeout, the deadline) may have happened:
// OUTCOME_UNKNOWN with a hint to re-read, never "could not be reached". A write refused before it left keeps its
// code, and writes are still sent exactly once. The upstream is a tiny HTTP fake that counts what it performed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceName } from '../../src/errors.js';
import { UpstreamError } from '../../src/errors.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';
import { CircuitBreaker } from '../../src/upstreams/resilience.js';
import { Cutoff } from '../../src/upstreams/caller.js';

let server: Server;
let origin: string;
/** Requests the fake carried out (it read the whole body first), by method and path. */
let performed: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      performed.push(`${req.method} ${req.url}`);
      if (req.url === '/performs-then-drops') return void req.socket.destroy();
      if (req.url === '/performs-then-cuts-body') {
        res.writeHead(202, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"job_id": "');
        return void setTimeout(() => res.destroy(), 30);
      }
      if (req.url === '/performs-then-hangs') return; // never answers
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 600);
      // What a proxy answers after the upstream behind it took the request and dropped it (Envoy's 503 "upstream
      // reset"), a CDN's 520 and 524; then the service's own 503 (busy: not carried out) and a 501.
      const proxied = /^\/proxy-(\d{3})$/.exec(req.url ?? '');
      if (proxied) return void res.writeHead(Number(proxied[1]), { 'content-type': 'text/plain' }).end('upstream connect error or disconnect/reset before headers. reset reason: connection termination');
      // A gateway's JSON: Huawei's API gateway in front of SDRS, and a proxy's generic {"error": {"code": 503}}.
      if (req.url === '/apigw-503') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code": "APIGW.0202", "error_msg": "Backend unavailable"}');
      if (req.url === '/generic-503') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error": {"code": 503, "message": "upstream connect error or disconnect/reset before headers"}}');
      if (req.url === '/service-503') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error": {"code": "SDRS.0006", "message": "busy"}}');
      if (req.url === '/service-501') return void res.writeHead(501, { 'content-type': 'application/json' }).end('{"computeFault": {"code": 501, "message": "Not implemented."}}');
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(() => {
  performed = [];
});

function client(service: ServiceName = 'cinder', opts: { endpoint?: string; headersMs?: number; agent?: Agent; breaker?: CircuitBreaker } = {}) {
  return new HttpClient({
    service,
    endpoint: opts.endpoint ?? origin,
    agent: opts.agent ?? createAgent({ connectMs: 1_000, headersMs: opts.headersMs ?? 5_000, bodyMs: 5_000 }),
    breaker: opts.breaker,
  });
}

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('writes whose outcome is unknown', () => {
  it.each(['POST', 'PUT', 'DELETE'] as const)('%s performed, then the connection dropped: OUTCOME_UNKNOWN, sent once', async (method) => {
    const err = await failure(client().send({ method, path: '/performs-then-drops', body: method === 'DELETE' ? undefined : { x: 1 } }));
    expect(err).toMatchObject({ code: 'OUTCOME_UNKNOWN', service: 'cinder', status: 0 });
    expect(err.message).toMatch(/^Cinder may have made this change/);
    expect(err.message).toMatch(/re-read the object/i);
    expect(err.message).not.toMatch(/could not be reached|did not answer in time/);
    expect(performed).toEqual([`${method} /performs-then-drops`]);
  });

  it.each([503, 520, 524, 599])('a write answered %s by something other than the service (a proxy after a reset) is OUTCOME_UNKNOWN, sent once', async (status) => {
    const err = await failure(client().send({ method: 'POST', path: `/proxy-${status}`, body: {} }));
    expect(err).toMatchObject({ code: 'OUTCOME_UNKNOWN', status });
    expect(err.message).toContain('whether it happened is unknown');
    expect(performed).toEqual([`POST /proxy-${status}`]);
  });

  it.each(['/apigw-503', '/generic-503'])("a gateway's JSON 503 (%s) is not the service's own refusal: OUTCOME_UNKNOWN", async (p) => {
    expect(await failure(client('sdrs').send({ method: 'POST', path: p, body: {} }))).toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 503 });
  });

  it("the service's own 503 (busy) and a 501 say the write was not carried out: not OUTCOME_UNKNOWN", async () => {
    expect(await failure(client('sdrs').send({ method: 'POST', path: '/service-503', body: {} }))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
    expect(await failure(client().send({ method: 'POST', path: '/service-501', body: {} }))).toMatchObject({ code: 'NOT_SUPPORTED', status: 501 });
    // A read meeting a proxy's 503 is a plain failure: nothing was changed.
    expect(await failure(client().send({ method: 'GET', path: '/proxy-503' }))).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
  });

  it('a body cut off after the answer began is OUTCOME_UNKNOWN too', async () => {
    const err = await failure(client().send({ method: 'POST', path: '/performs-then-cuts-body', body: {} }));
    expect(err.code).toBe('OUTCOME_UNKNOWN');
  });

  it('no answer within the upstream timeout (headers timeout) is OUTCOME_UNKNOWN', async () => {
    const err = await failure(client('cinder', { headersMs: 200 }).send({ method: 'POST', path: '/performs-then-hangs', body: {} }));
    expect(err.code).toBe('OUTCOME_UNKNOWN');
    expect(err.message).toMatch(/no answer came in time/);
    expect(performed).toEqual(['POST /performs-then-hangs']);
  });

  it('the request deadline passing while the reply is awaited is OUTCOME_UNKNOWN', async () => {
    const deadline = Date.now() + 200;
    const err = await failure(client().send({ method: 'POST', path: '/performs-then-hangs', body: {}, deadline, cutoff: new Cutoff(deadline) }));
    expect(err.code).toBe('OUTCOME_UNKNOWN');
    expect(performed).toEqual(['POST /performs-then-hangs']);
  });

  it('for SDRS the hint is the protection group status or the job', async () => {
    const err = await failure(client('sdrs').send({ method: 'POST', path: '/performs-then-drops', body: {} }));
    expect(err.code).toBe('OUTCOME_UNKNOWN');
    expect(err.message).toMatch(/^SDRS may have made this change/);
    expect(err.message).toMatch(/protection group's status/);
    expect(err.message).toMatch(/job/);
  });
});

describe('writes that never left keep their codes', () => {
  it('a refused connection is UPSTREAM_UNAVAILABLE ("could not be reached")', async () => {
    const err = await failure(client('manila', { endpoint: 'http://127.0.0.1:1' }).send({ method: 'POST', path: '/x', body: {} }));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toMatch(/^Manila could not be reached \(ECONNREFUSED\)/);
  });

  it('a deadline already passed is UPSTREAM_TIMEOUT and nothing is sent', async () => {
    const err = await failure(client().send({ method: 'POST', path: '/created', body: {}, deadline: Date.now() - 1 }));
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    expect(performed).toEqual([]);
  });

  it('a write still waiting for a connection at its deadline is UPSTREAM_TIMEOUT and never sent', async () => {
    const agent = new Agent({ connections: 1 });
    try {
      const c = client('cinder', { agent });
      const busy = c.send({ method: 'GET', path: '/slow' });
      await new Promise((r) => setTimeout(r, 50));
      const deadline = Date.now() + 150;
      const err = await failure(c.send({ method: 'POST', path: '/queued', body: {}, deadline, cutoff: new Cutoff(deadline) }));
      expect(err.code).toBe('UPSTREAM_TIMEOUT');
      await busy;
      await new Promise((r) => setTimeout(r, 50));
      expect(performed).toEqual(['GET /slow']);
    } finally {
      await agent.destroy();
    }
  });

  it('an open circuit is UPSTREAM_UNAVAILABLE', async () => {
    const breaker = new CircuitBreaker({ window: 4, minCalls: 1, failureRate: 0.5, openMs: 60_000 });
    breaker.record(false);
    const err = await failure(client('cinder', { breaker }).send({ method: 'POST', path: '/created', body: {} }));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toMatch(/circuit open/);
    expect(performed).toEqual([]);
  });
});

describe('reads are unchanged', () => {
  it('a GET that loses its connection is UPSTREAM_UNAVAILABLE, retried once', async () => {
    const err = await failure(client().send({ method: 'GET', path: '/performs-then-drops' }));
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.message).toMatch(/^Cinder could not be reached \(/);
    expect(performed).toEqual(['GET /performs-then-drops', 'GET /performs-then-drops']);
  });
});
