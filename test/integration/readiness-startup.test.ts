// /readyz said `ready` when every upstream refused at start-up: a refused connection opens no circuit, so a facade
// started with Cinder, Manila and SDRS all unreachable was sent traffic that could only fail. Until a data service
// has answered, a start-up read that got no answer counts it unreachable; any HTTP answer (a 404, a 500) does not.
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { readiness } from '../../src/http/readiness.js';
import { createLogger } from '../../src/observability/logger.js';
import { logUpstreamVersions } from '../../src/observability/versions.js';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { startManilaSimulator } from '../../src/simulator/manila/index.js';
import { startSdrsSimulator } from '../../src/simulator/sdrs/index.js';
import { createAgent } from '../../src/upstreams/http.js';
import { SdrsClient } from '../../src/upstreams/sdrs/client.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { runMain } from '../helpers/process.js';
import { closedPort } from '../helpers/ports.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const urlAt = (port: number, version: string) => `http://127.0.0.1:${port}/${version}/${DEMO_PROJECT.id}`;

/** An SDRS client of a host that cuts every connection at once (no HTTP answer: it stays unreached), and a count. */
async function sdrsCuttingEveryConnection(): Promise<{ sdrs: SdrsClient; connections: () => number }> {
  let connections = 0;
  const cutting = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((r) => cutting.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => new Promise<void>((r) => cutting.close(() => r())));
  const agent = createAgent();
  cleanup.push(() => agent.destroy());
  return { sdrs: new SdrsClient(urlAt((cutting.address() as AddressInfo).port, 'v1'), agent), connections: () => connections };
}

async function readyz(base: string): Promise<{ status: number; body: Record<string, any> }> {
  const res = await request(`${base}/readyz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
}

async function facade(env: Record<string, string>): Promise<Facade> {
  const f = await startFacade(env);
  cleanup.push(() => f.close());
  return f;
}

describe('/readyz after a start-up with unreachable upstreams', () => {
  it('503 not-ready from the real process when every configured data service refused its start-up read', async () => {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const env = { CINDER_URL: urlAt(await closedPort(), 'v3'), MANILA_URL: urlAt(await closedPort(), 'v2'), SDRS_URL: urlAt(await closedPort(), 'v1') };
    const p = runMain({ PORT: String(port), HOST: '127.0.0.1', ...env });
    cleanup.push(() => (p.child.kill('SIGKILL'), p.exited));
    // Up once /readyz answers at all (the port is the truth; log lines may be buffered).
    const ready = await waitFor(() => readyz(`http://127.0.0.1:${port}`).catch(() => null), (r) => r !== null, 20_000);
    expect(ready, p.err()).toMatchObject({ status: 503, body: { status: 'not-ready', unreachable: ['cinder', 'manila', 'sdrs'] } });
    // Readiness only: no circuit was opened by it.
    expect(ready!.body.upstreams).toMatchObject({ cinder: { circuit: 'closed' }, manila: { circuit: 'closed' }, sdrs: { circuit: 'closed' } });
    expect(ready!.body.open).toBeUndefined();
  });

  it('200 degraded naming the unreachable one; ready once it answers a query', async () => {
    const manilaPort = await closedPort();
    const f = await facade({ SIMULATE: 'cinder', MANILA_URL: urlAt(manilaPort, 'v2') });
    expect(await readyz(f.app.server.url)).toMatchObject({ status: 200, body: { status: 'degraded', unreachable: ['manila'] } });
    // Calls still go out (no fail-fast): the error is the refused connection's, not a circuit's.
    const refused = await f.gql('{ shareGroups(first: 1) { nodes { id } } }');
    expect(refused.errors?.[0]?.message, refused.raw).toMatch(/could not be reached/);
    expect((await readyz(f.app.server.url)).body).toMatchObject({ status: 'degraded', unreachable: ['manila'] });

    const manila = await startManilaSimulator({ port: manilaPort, projectId: DEMO_PROJECT.id });
    cleanup.push(() => manila.close());
    await f.ok('{ shareGroups(first: 1) { nodes { id } } }');
    const after = await readyz(f.app.server.url);
    expect(after).toMatchObject({ status: 200, body: { status: 'ready' } });
    expect(after.body.unreachable).toBeUndefined();
  });

  it('an HTTP answer at start-up, even a 500 or a 404, proves the upstream reachable', async () => {
    for (const status of [500, 404]) {
      const answering: Server = createServer((_req, res) => res.writeHead(status, { 'content-type': 'application/json' }).end('{}'));
      await new Promise<void>((r) => answering.listen(0, '127.0.0.1', () => r()));
      cleanup.push(() => new Promise<void>((r) => answering.close(() => r())));
      const f = await facade({ SDRS_URL: urlAt((answering.address() as AddressInfo).port, 'v1') });
      expect(await readyz(f.app.server.url), `start-up read answered ${status}`).toMatchObject({ status: 200, body: { status: 'ready' } });
    }
  });

  it('with no traffic at all, the version document is read again until the upstream answers', async () => {
    const port = await closedPort();
    const agent = createAgent();
    cleanup.push(() => agent.destroy());
    const sdrs = new SdrsClient(urlAt(port, 'v1'), agent);
    const logs = logCapture();
    const log = createLogger({ level: 'info', format: 'json', variables: false }, logs.stream);
    const stop = new AbortController();
    cleanup.push(() => stop.abort());
    await logUpstreamVersions({ cinder: null, manila: null, sdrs }, null, false, log, { recheckMs: 100, signal: stop.signal });
    const protections = [{ service: 'sdrs', host: `http://127.0.0.1:${port}`, breaker: sdrs.http.breaker, bulkhead: sdrs.http.bulkhead }];
    expect(readiness(false, protections)).toMatchObject({ status: 'not-ready', unreachable: ['sdrs'] });

    const sim = await startSdrsSimulator({ port, projectId: DEMO_PROJECT.id });
    cleanup.push(() => sim.close());
    await waitFor(async () => sdrs.http.breaker.unreached, (u) => !u, 5_000, 50);
    expect(readiness(false, protections)).toMatchObject({ status: 'ready', unreachable: [] });
    log.flush();
    await waitFor(async () => logs.lines.find((l) => l.msg.startsWith('upstream reached since start-up')), (l) => l !== undefined, 2_000, 20);
  });

  it('the re-reads end with the app (its close aborts them): no more connections once aborted', async () => {
    const { sdrs, connections } = await sdrsCuttingEveryConnection();
    const log = createLogger({ level: 'silent', format: 'json', variables: false }, logCapture().stream);
    const stop = new AbortController();
    await logUpstreamVersions({ cinder: null, manila: null, sdrs }, null, false, log, { recheckMs: 50, signal: stop.signal });
    await waitFor(async () => connections(), (n) => n >= 3, 5_000, 20);
    stop.abort();
    const atAbort = connections();
    await new Promise((r) => setTimeout(r, 400));
    // One read may have been out when the signal came; none after it.
    expect(connections() - atAbort).toBeLessThanOrEqual(1);
    expect(sdrs.http.breaker.unreached).toBe(true);
  });

  it("an idle facade's re-reads open no circuit: they are counted by no breaker (callers would then fail fast)", async () => {
    const { sdrs, connections } = await sdrsCuttingEveryConnection();
    const stop = new AbortController();
    cleanup.push(() => stop.abort());
    const log = createLogger({ level: 'silent', format: 'json', variables: false }, logCapture().stream);
    await logUpstreamVersions({ cinder: null, manila: null, sdrs }, null, false, log, { recheckMs: 20, signal: stop.signal });
    await waitFor(async () => connections(), (n) => n >= 12, 10_000, 20);
    expect(sdrs.http.breaker.state).toBe('closed');
    expect(sdrs.http.breaker.unreached).toBe(true);
  });

  it('503 not-ready, naming keystone, when Keystone refused its start-up read (no request could pass the gate)', async () => {
    const f = await facade({ SIMULATE: 'cinder,manila,sdrs', KEYSTONE_URL: `http://127.0.0.1:${await closedPort()}/v3` });
    const ready = await readyz(f.app.server.url);
    expect(ready).toMatchObject({ status: 503, body: { status: 'not-ready', unreachable: ['keystone'] } });
  });
});
