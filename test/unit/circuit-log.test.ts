// Issue 17: one line per circuit state change, the half-open one included. Half-open comes from time passing,
// not from a call, so it is logged when the probe it lets through goes out, with that request's id.
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { RequestTrace } from '../../src/observability/requestTrace.js';
import { UpstreamTelemetry } from '../../src/observability/upstream.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';
import { CircuitBreaker } from '../../src/upstreams/resilience.js';
import { logCapture } from '../helpers/logs.js';

const failing = createHttpServer((_req, res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"computeFault":{"code":503,"message":"down"}}'));
let origin = '';
beforeAll(async () => {
  await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => failing.close(() => r())));

describe('circuit state lines', () => {
  it('closed -> open, then open -> half-open as the probe goes out (its request id), then half-open -> open', async () => {
    let now = 1_000_000;
    const breaker = new CircuitBreaker({ window: 4, minCalls: 2, failureRate: 0.5, openMs: 5_000, minCallers: 1 }, () => now);
    const logs = logCapture();
    const telemetry = new UpstreamTelemetry(createLogger({ level: 'info', format: 'json', variables: false }, logs.stream), null, null);
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent(), breaker, telemetry });
    const call = (requestId: string) => client.send({ method: 'GET', path: '/groups', requestId, trace: new RequestTrace(requestId, requestId, null) }).catch(() => undefined);
    for (let i = 0; i < 3 && breaker.state !== 'open'; i++) await call(`req-trip-${i}`);
    expect(breaker.state).toBe('open');
    now += 5_000;
    expect(breaker.state).toBe('half-open');
    await call('req-probe');
    const changes = logs.lines.filter((l) => l.msg.startsWith('circuit ')).map((l) => [l.from, l.to]);
    expect(changes).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'open'],
    ]);
    expect(logs.lines.find((l) => l.msg === 'circuit half-open')).toMatchObject({ service: 'cinder', host: origin, requestId: 'req-probe' });
  });
});

describe('circuit state lines of one project (Keystone)', () => {
  it("name the project: its circuit opens, goes half-open with the probe, opens again; the host's stays closed", async () => {
    let now = 1_000_000;
    const breaker = new CircuitBreaker({ window: 4, minCalls: 2, failureRate: 0.5, openMs: 5_000, minCallers: 2 }, () => now);
    const logs = logCapture();
    const telemetry = new UpstreamTelemetry(createLogger({ level: 'info', format: 'json', variables: false }, logs.stream), null, null);
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent(), breaker, telemetry });
    const call = (requestId: string, user: string) =>
      client.send({ method: 'GET', path: '/groups', requestId, identity: user, project: 'project:p1', trace: new RequestTrace(requestId, requestId, null) }).catch(() => undefined);
    for (let i = 0; i < 4 && breaker.projectState('project:p1') !== 'open'; i++) await call(`req-trip-${i}`, `user:u${i % 2}`);
    expect(breaker.projectState('project:p1')).toBe('open');
    now += 5_000;
    // Two users' failed probes (as for the host: one user's alone does not open it again).
    await call('req-probe', 'user:u0');
    await call('req-probe-2', 'user:u1');
    const changes = logs.lines.filter((l) => l.msg.startsWith('circuit ')).map((l) => [l.msg, l.project, l.from, l.to]);
    expect(changes).toEqual([
      ['circuit open for one project', 'p1', 'closed', 'open'],
      ['circuit half-open for one project', 'p1', 'open', 'half-open'],
      ['circuit half-open for one project', 'p1', 'open', 'half-open'],
      ['circuit open for one project', 'p1', 'half-open', 'open'],
    ]);
    expect(breaker.state).toBe('closed');
  });
});

describe('a request undici refuses to send', () => {
  it('(a header with CR LF) is the facade\'s own failure: the breaker does not count it', async () => {
    const breaker = new CircuitBreaker({ window: 4, minCalls: 2, failureRate: 0.5, openMs: 5_000, minCallers: 1 });
    const client = new HttpClient({ service: 'keystone', endpoint: origin, agent: createAgent(), breaker });
    for (let i = 0; i < 6; i++) {
      const err = await client.send({ method: 'GET', path: '/v3/auth/tokens', headers: { 'x-subject-token': `a\r\nX-${i}: y` } }).then(() => null, (e: Error) => e);
      expect(err).not.toBeNull();
    }
    expect(breaker.state).toBe('closed');
  });
});
