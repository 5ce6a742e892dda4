// Issue 17 on the edges a probe found: every answer carries X-Request-Id (METRICS_PORT's, Node's parser refusals,
// WebSocket handshakes) and every error its requestId (RESPONSE_TOO_LARGE); LOG_VARIABLES never writes variables
// as they came when they are not an object, and reads a GET's; an operation name is bounded in labels and lines.
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BETA_PROJECT } from '../../src/simulator/identity.js';
import { startManilaSimulator } from '../../src/simulator/manila/index.js';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { portOf, rawExchange as raw } from '../helpers/raw.js';

const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** A facade whose log lines are kept, and a query posted to it under a request id of the test's choosing. */
async function loggedFacade(env: Record<string, string>) {
  const logs = logCapture();
  const facade = await startFacade(env, undefined, undefined, { logDestination: logs.stream });
  const post = (requestId: string, query: string, headers: Record<string, string> = {}) =>
    request(facade.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...headers }, body: JSON.stringify({ query }) });
  const lineOf = (requestId: string) => waitFor(async () => logs.lines.find((l) => l.requestId === requestId && l.msg === 'graphql request'), (l) => l !== undefined, 2_000, 20);
  return { facade, logs, post, lineOf };
}

describe('X-Request-Id on every answer', () => {
  it("requests Node's parser refuses: Node's status, the header, and the id in a JSON error", async () => {
    f = await startFacade({});
    for (const [text, status] of [
      ['FOO /graphql HTTP/1.1\r\nhost: x\r\n\r\n', 400],
      ['GET /healthz HTTP/1.1\r\nhost: x\r\nx-bad: a\rb\r\n\r\n', 400],
      [`GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    ] as const) {
      const r = await raw(portOf(f), text);
      expect(r.status, text.slice(0, 40)).toBe(status);
      expect(r.headers['x-request-id']).toMatch(REQ_ID);
      expect(JSON.parse(r.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] });
    }
    // The facade still serves.
    expect((await request(`${f.app.server.url}/healthz`)).statusCode).toBe(200);
  });

  it('METRICS_PORT: the scrape and its 404', async () => {
    f = await startFacade({ METRICS_PORT: '0' });
    const metricsUrl = f.app.metricsUrl!;
    const scrape = await request(metricsUrl, { headers: { 'x-request-id': 'prometheus-1' } });
    await scrape.body.text();
    expect(scrape.statusCode).toBe(200);
    expect(scrape.headers['x-request-id']).toBe('prometheus-1');
    const missing = await request(metricsUrl.replace(/\/metrics$/, '/nope'));
    await missing.body.text();
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['x-request-id']).toMatch(REQ_ID);
  });

  it("WebSocket handshakes: the 101 (the client's id), a wrong path's 404 and a bad key's 400", async () => {
    f = await startFacade({});
    const ws = new WebSocket(f.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-upgrade-1' } });
    const upgraded = await new Promise<Record<string, unknown>>((resolve) => ws.once('upgrade', (res) => resolve(res.headers)));
    ws.terminate();
    expect(upgraded['x-request-id']).toBe('ws-upgrade-1');

    const wrongPath = new WebSocket(f.url.replace(/^http/, 'ws').replace(/\/graphql$/, '/nope'), 'graphql-transport-ws');
    wrongPath.on('error', () => {});
    const refused = await new Promise<{ status?: number; id: unknown }>((resolve) =>
      wrongPath.once('unexpected-response', (_req, res) => {
        resolve({ status: res.statusCode, id: res.headers['x-request-id'] });
        res.resume();
      }),
    );
    expect(refused.status).toBe(404);
    expect(refused.id).toMatch(REQ_ID);

    const badKey = await raw(
      portOf(f),
      'GET /graphql HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: short\r\n\r\n',
    );
    expect(badKey.status).toBe(400);
    expect(badKey.headers['x-request-id']).toMatch(REQ_ID);
    expect(JSON.parse(badKey.body).errors[0].extensions.requestId).toBe(badKey.headers['x-request-id']);
  });
});

describe('RESPONSE_TOO_LARGE', () => {
  it('carries the request id, and the log line names its code', async () => {
    const { facade, post, lineOf } = await loggedFacade({ MAX_RESPONSE_BYTES: '300' });
    f = facade;
    const res = await post('too-large-1', '{ groups(first: 50) { nodes { id name description } } }');
    const body = (await res.body.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(res.statusCode).toBe(400);
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', requestId: 'too-large-1' });
    expect(await lineOf('too-large-1')).toMatchObject({ status: 400, errorCodes: ['RESPONSE_TOO_LARGE'] });
  });
});

describe('LOG_VARIABLES', () => {
  it('variables that are not an object are named, never written; a GET request has its variables logged, redacted', async () => {
    const logs = logCapture();
    f = await startFacade({ LOG_VARIABLES: 'true' }, undefined, undefined, { logDestination: logs.stream });
    const canary = 'STRING-VARIABLES-CANARY';
    const asString = await request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'vars-string' },
      body: JSON.stringify({ query: 'query Q($password: String) { __typename }', variables: JSON.stringify({ password: canary }) }),
    });
    await asString.body.text();
    expect(asString.statusCode).toBe(400);
    const query = encodeURIComponent('query Q($first: Int, $password: String) { groups(first: $first, filter: { name: $password }) { totalCount } }');
    const vars = encodeURIComponent(JSON.stringify({ first: 1, password: 'GET-CANARY' }));
    const get = await request(`${f.url}?query=${query}&variables=${vars}`, { headers: { 'apollo-require-preflight': 'true', 'x-request-id': 'vars-get' } });
    const getBody = await get.body.text();
    expect(get.statusCode, getBody).toBe(200);
    const line = (id: string) => waitFor(async () => logs.lines.find((l) => l.requestId === id), (l) => l !== undefined, 2_000, 20);
    expect((await line('vars-string'))?.variables).toBe('[not a JSON object: not logged]');
    expect((await line('vars-get'))?.variables).toEqual({ first: 1, password: '[redacted]' });
    expect(logs.raw()).not.toContain(canary);
    expect(logs.raw()).not.toContain('GET-CANARY');
  });
});

describe('operation names', () => {
  it('one longer than 128 characters is `other` in metrics and cut short in its log line', async () => {
    const { facade, post, lineOf } = await loggedFacade({ METRICS_OPERATION_NAMES: 'true' });
    f = facade;
    const name = `L${'x'.repeat(5_000)}`;
    const res = await post('long-name', `query ${name} { __typename }`);
    await res.body.text();
    expect(res.statusCode).toBe(200);
    const scraped = await (await request(`${f.app.server.url}/metrics`)).body.text();
    expect(scraped).not.toContain('xxxxxxxxxx');
    expect(scraped).toMatch(/graphql_requests_total\{[^}]*operation_name="other"/);
    expect((await lineOf('long-name'))?.operationName).toBe(`${name.slice(0, 128)}…`);
  });
});

describe('version discovery inside a request', () => {
  it("is part of the request that found the cache empty: its id upstream, its counts, its failure's log line", async () => {
    const manila = await startManilaSimulator();
    // Both tries of the start-up read fail: the version document is still unknown when the request comes.
    manila.injectFault({ status: 503, json: { serviceUnavailable: { code: 503, message: 'busy' } }, times: 3 });
    const logs = logCapture();
    f = await startFacade({ MANILA_URL: manila.endpoint, LOG_LEVEL: 'debug' }, undefined, undefined, { logDestination: logs.stream });
    try {
      await waitFor(async () => manila.calls.length, (n) => n >= 2, 5_000, 20);
      manila.resetCalls();
      const requestId = 'req-0f0e0d0c-0b0a-4909-8807-060504030201';
      const res = await request(f.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ query: '{ shareGroups(first: 1) { totalCount } }' }),
      });
      const body = (await res.body.json()) as { errors?: unknown[] };
      expect(body.errors, JSON.stringify(body)).toBeUndefined();
      const discovery = manila.calls.filter((c) => c.url === '/');
      // The third fault met the request's first try, its retry read the document.
      expect(discovery.length).toBe(2);
      for (const c of discovery) {
        expect(c.headers['x-openstack-request-id']).toBe(requestId);
        expect(c.headers['x-auth-token']).toBeUndefined();
      }
      const failure = logs.lines.find((l) => l.requestId === requestId && l.service === 'manila' && l.msg !== 'graphql request');
      expect(failure, logs.raw()).toBeDefined();
      const line = await waitFor(async () => logs.lines.find((l) => l.requestId === requestId && l.msg === 'graphql request'), (l) => l !== undefined, 2_000, 20);
      expect(line?.upstreamCalls).toBe(manila.calls.length);
    } finally {
      await f.close();
      f = undefined;
      await manila.close();
    }
  });
});

describe('calls of no request (start-up version reads)', () => {
  it('carry an X-OpenStack-Request-ID of their own, which their failure line names (they sent none)', async () => {
    const manila = await startManilaSimulator();
    manila.injectFault({ status: 503, json: { serviceUnavailable: { code: 503, message: 'busy at start' } }, times: 2 });
    const logs = logCapture();
    f = await startFacade({ MANILA_URL: manila.endpoint }, undefined, undefined, { logDestination: logs.stream });
    try {
      await waitFor(async () => manila.calls.length, (n) => n >= 2, 5_000, 20);
      const sent = manila.calls.filter((c) => c.url === '/').map((c) => c.headers['x-openstack-request-id']);
      for (const id of sent) expect(id).toMatch(/^req-[0-9a-f-]{36}$/);
      const failure = await waitFor(async () => logs.lines.find((l) => l.service === 'manila' && l.upstreamMessage === 'busy at start'), (l) => l !== undefined, 2_000, 20);
      expect(sent).toContain(failure?.sentRequestId);
    } finally {
      await f.close();
      f = undefined;
      await manila.close();
    }
  });
});

describe('a client that goes away', () => {
  it("while its request runs: the request's line says 499 aborted, not 200 ok", async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    f.app.simulators.cinder!.setDelay(400);
    const controller = new AbortController();
    const sent = request(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'goes-away' },
      body: JSON.stringify({ query: '{ groups(first: 2) { nodes { id name } } }' }),
      signal: controller.signal,
    }).catch(() => 'aborted');
    setTimeout(() => controller.abort(), 100);
    expect(await sent).toBe('aborted');
    const line = await waitFor(async () => logs.lines.find((l) => l.requestId === 'goes-away' && l.msg === 'graphql request'), (l) => l !== undefined, 3_000, 20);
    expect(line, JSON.stringify(logs.lines.filter((l) => l.requestId === 'goes-away'))).toMatchObject({ status: 499, outcome: 'aborted' });
  });
});

describe('a document validation refuses', () => {
  it('still has its operation named in its log line, and in metrics once that name has run', async () => {
    const { facade, post, lineOf } = await loggedFacade({ METRICS_OPERATION_NAMES: 'true' });
    f = facade;
    // A caller with a token the simulator takes: tokenless requests show no caller real, and take no place.
    await (await post('valid-named', 'query Named { groups(first: 1) { totalCount } }', { 'x-auth-token': 'a-portal' })).body.text();
    const res = await post('invalid-named', 'query Named { nope }');
    await res.body.text();
    expect(res.statusCode).toBe(400);
    expect(await lineOf('invalid-named')).toMatchObject({ operationName: 'Named', operationType: 'query', errorCodes: ['GRAPHQL_VALIDATION_FAILED'] });
    const scraped = await (await request(`${f.app.server.url}/metrics`)).body.text();
    expect(scraped).toMatch(/graphql_requests_total\{[^}]*outcome="client_error"[^}]*operation_name="Named"/);
  });

  it('takes none of the 100 operation_name places with a name that never ran (operator probe: they ran out)', async () => {
    const { facade, post } = await loggedFacade({ METRICS_OPERATION_NAMES: 'true' });
    f = facade;
    for (let i = 0; i < 110; i++) await (await post(`made-up-${i}`, `query MadeUp${i} { nope }`)).body.text();
    // Valid, but it reads nothing upstream: no upstream accepted its caller (a review filled the places so).
    for (let i = 0; i < 110; i++) await (await post(`free-${i}`, `query Free${i} { __typename }`)).body.text();
    await (await post('real-one', 'query BrandNewLegit { groups(first: 1) { totalCount } }', { 'x-auth-token': 'a-portal' })).body.text();
    const scraped = await (await request(`${f.app.server.url}/metrics`)).body.text();
    expect(scraped).toMatch(/graphql_requests_total\{[^}]*operation_name="BrandNewLegit"/);
    expect(scraped).not.toContain('MadeUp');
    expect(scraped).not.toContain('Free');
    expect(scraped).toMatch(/graphql_requests_total\{[^}]*outcome="client_error"[^}]*operation_name="other"\} 110/);
  });
});

describe('a caller no upstream accepted', () => {
  it('takes no operation_name place through the version read its request made (tokenless: it proves nothing)', async () => {
    const sim = createCinderSimulator().handler;
    let versionsBusy = 2;
    const cinder = await serveSimulator(async (req) => {
      // The start-up read fails (both tries): the first request reads the version document itself.
      if (req.path === '/' && versionsBusy-- > 0) return { status: 503, json: { error: 'busy' } };
      if (req.path !== '/' && req.headers['x-auth-token'] === 'intruder') return { status: 401, json: { error: { code: 401, message: 'The request you have made requires authentication.' } } };
      return sim(req);
    });
    const { facade, post } = await loggedFacade({ METRICS_OPERATION_NAMES: 'true', CINDER_URL: `${cinder.origin}/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9`, MANILA_URL: '', SIMULATE: '' });
    f = facade;
    try {
      await waitFor(async () => cinder.calls.length, (n) => n >= 2, 5_000, 20);
      await (await post('sneaky', 'query Sneaky { groups(first: 1) { totalCount } }', { 'x-auth-token': 'intruder' })).body.text();
      expect(cinder.calls.some((c) => c.path === '/' && c.headers['x-auth-token'] === undefined)).toBe(true);
      const scraped = await (await request(`${f.app.server.url}/metrics`)).body.text();
      expect(scraped).not.toContain('Sneaky');
    } finally {
      await f.close();
      f = undefined;
      await cinder.close();
    }
  });
});

describe('one host, one circuit and one bulkhead (demo mode, a second project)', () => {
  it("a simulated user of another project shares the host's breaker and bulkhead with the process-wide client", async () => {
    const demo = await startFacade({});
    try {
      await demo.ok('{ groups(first: 1) { nodes { id } } }');
      await demo.ok('{ groups(first: 1) { totalCount } }', undefined, { token: `reader:${BETA_PROJECT.id}` });
      const ready = (await (await request(`${demo.app.server.url}/readyz`)).body.json()) as { upstreams: Record<string, { hosts?: unknown }> };
      // Before: two breakers and two bulkheads for the one Cinder host, its connection limit doubled.
      expect(ready.upstreams.cinder!.hosts).toBeUndefined();
      const metrics = await (await request(`${demo.app.server.url}/metrics`)).body.text();
      expect(metrics).toMatch(/^upstream_circuit_hosts\{service="cinder",state="closed"\} 1$/m);
    } finally {
      await demo.close();
    }
  });
});
