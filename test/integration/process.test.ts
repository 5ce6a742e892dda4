// `npm start` as a process: bad configuration stops it with one line; SIGTERM drains in-flight queries.
import { request } from 'undici';
import { runMain, untilHealthy } from '../helpers/process.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinderSimulator } from '../../src/simulator/cinder/index.js';
import type { RunningSimulator } from '../../src/simulator/server.js';

describe('start-up configuration errors', () => {
  it.each([
    [{ PORT: 'eighty' }, /PORT must be a whole number/],
    [{ CINDER_URL: 'not a url' }, /CINDER_URL is not a valid URL/],
    [{ SIMULATE: 'nova' }, /SIMULATE lists unknown service "nova"/],
  ])('%o stops start-up with one clear line', async (env, message) => {
    const p = runMain(env);
    expect(await p.exited).toBe(2);
    const lines = p.err().split('\n').filter((l) => l.trim() && !l.includes('ExperimentalWarning'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).msg).toMatch(/^groupgraph: invalid configuration: /);
    expect(JSON.parse(lines[0]!).msg).toMatch(message);
  });
});

describe('a port the facade cannot listen on', () => {
  it('stops start-up with one line naming the address and the settings, exit 2 (was a stack trace, exit 1)', async () => {
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as { port: number }).port;
    try {
      const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder' });
      expect(await p.exited).toBe(2);
      const fatal = p.err().split('\n').filter((l) => l.includes('"level":60'));
      expect(fatal).toHaveLength(1);
      const line = JSON.parse(fatal[0]!);
      expect(line.msg).toBe(`groupgraph: invalid configuration: cannot listen on 127.0.0.1:${port}: it is already in use (EADDRINUSE); check PORT, HOST and METRICS_PORT.`);
      expect(line.stack ?? line.err).toBeUndefined();
    } finally {
      taken.close();
    }
  });
});

describe('the start-up line naming the trace exporter', () => {
  it('leaves out the credentials of its URL: user, password and query string', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATE: 'cinder',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://user:OTELSECRET@127.0.0.1:9/v1/traces?api_key=OTELKEY',
    });
    await untilHealthy(p, port);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const line = p.out().split('\n').find((l) => l.includes('groupgraph listening'));
    expect(JSON.parse(line!).tracing).toBe('http://127.0.0.1:9/v1/traces');
    expect(p.out() + p.err()).not.toMatch(/OTELSECRET|OTELKEY/);
  });

  it('names each bad OTEL_BSP_* value it ignores in one warning line, as the OpenTelemetry specification asks', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({
      PORT: String(port),
      HOST: '127.0.0.1',
      SIMULATE: 'cinder',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_BSP_SCHEDULE_DELAY: 'soon',
      OTEL_BSP_MAX_QUEUE_SIZE: '0',
    });
    await untilHealthy(p, port);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const warnings = p.out().split('\n').filter((l) => l.includes('OTEL_BSP_')).map((l) => JSON.parse(l));
    expect(warnings.map((w) => [w.level, w.variable, w.value])).toEqual([
      [40, 'OTEL_BSP_SCHEDULE_DELAY', 'soon'],
      [40, 'OTEL_BSP_MAX_QUEUE_SIZE', '0'],
    ]);
    expect(warnings[0].msg).toMatch(/ignored, the default \(5000 ms\) used/);
  });
});

describe('a promise rejection no one handles', () => {
  it('is logged as a defect, and the facade serves on (Node would have exited)', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const stray = new URL('../helpers/strayRejection.mjs', import.meta.url).pathname;
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder', NODE_OPTIONS: `--import=${stray}` });
    await untilHealthy(p, port);
    p.child.kill('SIGUSR2');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(p.child.exitCode, p.err()).toBeNull();
    expect((await request(`http://127.0.0.1:${port}/healthz`)).statusCode).toBe(200);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const line = p.out().split('\n').find((l) => l.includes('unhandled promise rejection'));
    expect(JSON.parse(line!)).toMatchObject({ level: 50, err: { message: 'a stray rejection for the test' } });
  });
});

describe('SIGTERM', () => {
  let sim: RunningSimulator & { endpoint: string };
  beforeAll(async () => {
    sim = await startCinderSimulator({ transitionMs: 20 });
  });
  afterAll(() => sim.close());

  it('SIGHUP drains as SIGTERM does (Node\'s default was to die at once, cutting what was in flight)', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder,manila,sdrs' });
    await untilHealthy(p, port);
    p.child.kill('SIGHUP');
    expect(await p.exited).toBe(0);
    expect(p.out()).toMatch(/SIGHUP: draining/);
    expect(p.out()).toMatch(/drained, bye/);
  });

  // Left open since the first drain: a balancer that learns of a stop from /readyz (or an endpoint list) still sent
  // requests for a moment, and each got 503 SHUTTING_DOWN. SHUTDOWN_DELAY_MS keeps serving them meanwhile.
  it('SHUTDOWN_DELAY_MS: not ready at once, requests still answered until the delay ends, then the drain', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder,manila,sdrs', SHUTDOWN_DELAY_MS: '1500' });
    await untilHealthy(p, port);
    const ask = () =>
      request(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ groups(first: 1) { nodes { name } } }' }),
      }).then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as any }));
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    const ready = await request(`http://127.0.0.1:${port}/readyz`);
    expect(ready.statusCode).toBe(503);
    expect(((await ready.body.json()) as { status: string }).status).toBe('draining');
    const answered = await ask();
    expect(answered.status).toBe(200);
    expect(answered.body.data.groups.nodes).toHaveLength(1);
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_500);
    expect(p.out()).toMatch(/SIGTERM: not ready; serving 1500 ms more before draining/);
    expect(p.out()).toMatch(/drained, bye/);
  });

  it('exits 0 promptly when idle, after having served a request (demo mode)', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    // NODE_ENV=production serves the simulators only when asked to (SIMULATE).
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', SIMULATE: 'cinder,manila,sdrs' });
    await untilHealthy(p, port);
    const res = await request(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ groups(first: 1) { nodes { name } } }' }),
    });
    expect(res.statusCode).toBe(200);
    await res.body.text();
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(p.out()).toMatch(/drained, bye/);
  });

  it('finishes the slow queries in flight, then exits 0 within the grace period', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', CINDER_URL: sim.endpoint, SHUTDOWN_GRACE_MS: '8000' });
    const url = `http://127.0.0.1:${port}`;
    await untilHealthy(p, port);
    const ask = (token: string) =>
      request(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': token },
        body: JSON.stringify({ query: '{ groups(first: 2) { nodes { name } } }' }),
      }).then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as any }));
    // Twenty callers Cinder has accepted before (a new token counts against its address until an upstream accepts it).
    for (let i = 0; i < 20; i++) expect((await ask(`caller-${i}`)).status).toBe(200);
    sim.setDelay(1_000);
    // Twenty callers at once (one caller may have only MAX_IN_FLIGHT_PER_CALLER requests in progress).
    const queries = Array.from({ length: 20 }, (_, i) => ask(`caller-${i}`));
    await new Promise((r) => setTimeout(r, 400));
    const t0 = Date.now();
    p.child.kill('SIGTERM');
    const results = await Promise.all(queries).catch((e: Error) => { throw new Error(`${e.message}\nstdout: ${p.out()}\nstderr: ${p.err()}`); });
    expect(await p.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8_000);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.groups.nodes).toHaveLength(2);
    }
    expect(p.out()).toMatch(/draining 20 request/);
  });
});
