// Issue 17: what an operator sees of one request: its log line, its X-Request-Id both ways, the counters it
// moved, its spans (sent over OTLP/HTTP to a receiver this test runs) and traceparent at the simulators; no token
// or secret variable anywhere in those; /readyz degraded and not ready.
import { type IncomingMessage, type Server, createServer } from 'node:http';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { type Line, logCapture } from '../helpers/logs.js';
import { closedPort } from '../helpers/ports.js';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** A minimal OTLP/HTTP receiver: takes the JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) POSTed to /v1/traces and keeps their spans. */
async function otlpReceiver() {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      if (req.url === '/v1/traces' && (req.headers['content-type'] ?? '').includes('json')) {
        const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans.push(...ss.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, spans, bodies, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? (v.stringValue ?? v.intValue ?? v.boolValue) : undefined;
};

/** Sends a GraphQL request with any headers; the body parsed. */
async function post(f: Facade, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await request(f.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as { data?: any; errors?: { extensions: Record<string, any> }[] } };
}

async function metrics(url: string): Promise<string> {
  const res = await request(url);
  expect(res.statusCode).toBe(200);
  return res.body.text();
}

/** The value of one series in Prometheus text (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const UUID_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

describe('one GraphQL request over a failing upstream', () => {
  it('gives one log line, one request id in header, errors, log and upstream, counters moved, spans parented', async () => {
    const receiver = await otlpReceiver();
    cleanup.push(receiver.close);
    const logs = logCapture();
    const f = await startFacade(
      { SIMULATE: 'cinder,manila,sdrs', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '50' },
      undefined,
      undefined,
      { logDestination: logs.stream },
    );
    cleanup.push(() => f.close());
    const cinder = f.app.simulators.cinder!;
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery and compilation out of the way
    const metricsUrl = `${f.app.server.url}/metrics`;
    const before = await metrics(metricsUrl);
    cinder.resetCalls();
    const upstreamFailureId = 'req-11111111-2222-4333-8444-555555555555';
    cinder.injectFault({
      status: 500,
      json: { computeFault: { code: 500, message: 'boom' } },
      urlIncludes: '/groups/detail',
      headers: { 'x-openstack-request-id': upstreamFailureId },
    });

    const clientId = 'portal.checkout:42_a-b';
    const r = await post(f, 'query Screen { groups(first: 2) { nodes { name } } }', undefined, {
      'x-request-id': clientId,
      traceparent: `00-${TRACE_ID}-${CLIENT_SPAN}-01`,
    });

    // The id both ways: the client's (safe) id is the facade's, in the header and in every error.
    expect(r.headers['x-request-id']).toBe(clientId);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', requestId: clientId });
    // One line for the request, with what an operator needs.
    const line = logs.lines.find((l) => l.msg === 'graphql request' && l.requestId === clientId);
    expect(line, logs.raw()).toBeDefined();
    expect(line).toMatchObject({ operationName: 'Screen', operationType: 'query', status: 200, outcome: 'partial', errorCodes: ['UPSTREAM_ERROR'] });
    expect(line!.durationMs).toBeGreaterThan(0);
    expect(line!.client).toBe('127.0.0.1');
    expect(line!.upstreamCalls).toBe(cinder.calls.length);
    expect(line!.roundTrips).toBeGreaterThanOrEqual(1);
    // Cinder takes only req-<uuid>: it got one made for this request, the one the line names beside the client's.
    expect(line!.upstreamRequestId).toMatch(UUID_ID);
    expect(cinder.calls.length).toBeGreaterThan(0);
    for (const c of cinder.calls) expect(c.headers['x-openstack-request-id']).toBe(line!.upstreamRequestId);
    // The failure's own line carries both ids and Cinder's.
    const failure = logs.lines.find((l) => l.msg === 'upstream call failed' && l.requestId === clientId);
    expect(failure).toMatchObject({ service: 'cinder', status: 500, code: 'UPSTREAM_ERROR', route: '/groups/detail', upstreamRequestId: upstreamFailureId, sentRequestId: line!.upstreamRequestId });
    // The server error's own text, which the client is not shown, is in the line.
    expect(failure?.upstreamMessage).toBe('boom');

    // Counters moved by exactly this request.
    const after = await metrics(metricsUrl);
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('upstream_requests_total', { service: 'cinder', method: 'GET', route: '/groups/detail', status: '500' })).toBe(1);
    const okCalls = cinder.calls.filter((c) => !c.path.endsWith('/groups/detail')).length;
    const okDelta = ['/groups/detail', '/types', '/group_types', '/volumes/detail', '/group_snapshots/detail'].reduce(
      (n, route) => n + delta('upstream_requests_total', { service: 'cinder', method: 'GET', route, status: '200' }),
      0,
    );
    expect(okDelta).toBe(okCalls);
    expect(delta('graphql_requests_total', { operation_type: 'query', outcome: 'partial' })).toBe(1);
    const plain = (text: string, name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? 0);
    expect(plain(after, 'graphql_upstream_calls_per_request_count') - plain(before, 'graphql_upstream_calls_per_request_count')).toBe(1);
    expect(plain(after, 'graphql_upstream_calls_per_request_sum') - plain(before, 'graphql_upstream_calls_per_request_sum')).toBe(cinder.calls.length);
    expect(after).toMatch(/^process_cpu_seconds_total /m);
    expect(after).toMatch(/^upstream_circuit_state\{service="cinder"\} 0$/m);

    // traceparent reached Cinder, in the client's trace; the spans went over OTLP/HTTP with the right parents.
    for (const c of cinder.calls) expect(String(c.headers.traceparent)).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    await f.app.observability.flush();
    const ofTrace = await waitFor(
      async () => receiver.spans.filter((s) => s.traceId === TRACE_ID),
      (s) => s.length >= 1 + cinder.calls.length,
    );
    const root = ofTrace.find((s) => s.parentSpanId === CLIENT_SPAN);
    expect(root, JSON.stringify(ofTrace)).toMatchObject({ name: 'query Screen', kind: 2 });
    expect(attr(root!, 'groupgraph.request_id')).toBe(clientId);
    const children = ofTrace.filter((s) => s.parentSpanId === root!.spanId);
    expect(children).toHaveLength(cinder.calls.length);
    const failed = children.find((s) => s.name === 'GET /groups/detail');
    expect(failed).toBeDefined();
    expect(failed!.kind).toBe(3);
    expect(attr(failed!, 'http.response.status_code')).toBe(500);
    expect(attr(failed!, 'upstream.request_id')).toBe(upstreamFailureId);
    expect(attr(failed!, 'upstream.service')).toBe('cinder');
    // Each upstream call's traceparent names its own span as the parent.
    const sentParents = cinder.calls.map((c) => String(c.headers.traceparent).split('-')[2]).sort();
    expect(sentParents).toEqual(children.map((s) => s.spanId).sort());
    // The request's line and its upstream failure's line lead to the trace, and to the request's span in it.
    const traceContext = { trace_id: TRACE_ID, span_id: root!.spanId, trace_flags: '01' };
    expect(line).toMatchObject(traceContext);
    expect(failure).toMatchObject(traceContext);
  });

  it('a client id already in req-<uuid> form goes upstream as it is; without one, one is made and returned', async () => {
    const logs = logCapture();
    const f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' }, undefined, undefined, { logDestination: logs.stream });
    cleanup.push(() => f.close());
    const manila = f.app.simulators.manila!;
    const id = 'req-0f0e0d0c-0b0a-4909-8807-060504030201';
    const r1 = await post(f, '{ shareGroups(first: 1) { nodes { id } } }', undefined, { 'x-request-id': id });
    expect(r1.headers['x-request-id']).toBe(id);
    expect(manila.calls.filter((c) => c.path.includes('share-groups')).every((c) => c.headers['x-openstack-request-id'] === id)).toBe(true);
    // An unsafe id is not taken: a fresh one answers, and goes upstream.
    manila.resetCalls();
    const r2 = await post(f, '{ shareGroups(first: 1) { nodes { id } } }', undefined, { 'x-request-id': 'bad id\twith "quotes"' });
    const made = String(r2.headers['x-request-id']);
    expect(made).toMatch(UUID_ID);
    expect(manila.calls.every((c) => c.headers['x-openstack-request-id'] === made)).toBe(true);
    const madeLine = logs.lines.find((l) => l.msg === 'graphql request' && l.requestId === made);
    expect(madeLine).toMatchObject({ upstreamRequestId: made, status: 200, outcome: 'ok' });
    // Tracing is off here: no trace context in the line.
    expect(madeLine).not.toHaveProperty('trace_id');
    // Refusals and other routes carry one too.
    const bad = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    const badBody = (await bad.body.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(bad.statusCode).toBe(400);
    expect(badBody.errors[0]?.extensions.requestId).toBe(bad.headers['x-request-id']);
    expect(logs.lines.find((l) => l.requestId === bad.headers['x-request-id'])).toMatchObject({ outcome: 'refused', refusal: 'bad_json' });
    // A body the facade cannot read at all (compressed, another charset) is not bad JSON: 415, its own reason.
    for (const headers of [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, { 'content-type': 'application/json; charset=utf-16' }]) {
      const unread = await request(f.url, { method: 'POST', headers, body: '{"query":"{ __typename }"}' });
      await unread.body.text();
      expect(unread.statusCode).toBe(415);
      expect(logs.lines.find((l) => l.requestId === unread.headers['x-request-id'])).toMatchObject({ outcome: 'refused', refusal: 'unsupported_media_type' });
    }
    // An answer the client does not take (406) is not bad JSON either (it was counted so).
    const unwanted = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'image/png' }, body: '{"query":"{ __typename }"}' });
    await unwanted.body.text();
    expect(unwanted.statusCode).toBe(406);
    expect(logs.lines.find((l) => l.requestId === unwanted.headers['x-request-id'])).toMatchObject({ outcome: 'refused', refusal: 'not_acceptable' });
    const health = await request(`${f.app.server.url}/healthz`);
    await health.body.text();
    expect(String(health.headers['x-request-id'])).toMatch(UUID_ID);
  });
});

describe('secrets', () => {
  it('a token and a canary secret in variables appear in no log line, metric or span', async () => {
    const receiver = await otlpReceiver();
    cleanup.push(receiver.close);
    const logs = logCapture();
    const token = 'gAAAAA-TOKEN-CANARY-7f3a9c';
    // Ids are checked as UUIDs before any call, so the canary is one.
    const secret = 'c4ba7e5e-ca7a-4bad-9eed-5ec7e7000001';
    const f = await startFacade(
      {
        SIMULATE: 'cinder,manila,sdrs',
        LOG_LEVEL: 'debug',
        LOG_VARIABLES: 'true',
        METRICS_OPERATION_NAMES: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
      undefined,
      undefined,
      { logDestination: logs.stream },
    );
    cleanup.push(() => f.close());
    // The secret is a group id (it goes into the upstream path) under a variable named like a secret.
    const query = 'query Lookup($password: ID!, $withName: Boolean!) { group(id: $password) { id name @include(if: $withName) } }';
    const r = await post(f, query, { password: secret, withName: true }, { 'x-auth-token': token });
    expect(r.status).toBe(200);
    // It did reach the upstream: the test would prove nothing otherwise.
    expect(f.app.simulators.cinder!.calls.some((c) => c.url.includes(secret) && c.headers['x-auth-token'] === token), JSON.stringify(f.app.simulators.cinder!.calls.map((c) => [c.url, c.headers['x-auth-token']]))).toBe(true);
    const line = logs.lines.find((l) => l.msg === 'graphql request' && l.operationName === 'Lookup');
    expect(line?.variables).toEqual({ password: '[redacted]', withName: true });
    const scraped = await metrics(`${f.app.server.url}/metrics`);
    expect(scraped).toMatch(/operation_name="Lookup"/);
    await f.app.observability.flush();
    await waitFor(async () => receiver.spans.length, (n) => n >= 2);
    expect(receiver.spans.some((sp) => sp.name === 'GET /groups/{id}')).toBe(true);
    for (const [where, text] of [
      ['logs', logs.raw()],
      ['metrics', scraped],
      ['spans', receiver.bodies.join('\n')],
    ] as const) {
      expect(text.includes(token), `token in ${where}`).toBe(false);
      expect(text.includes(secret), `secret in ${where}`).toBe(false);
    }
  });
});

describe('/readyz', () => {
  it('200 degraded naming the open circuit while others are closed; 503 not-ready when every one is open', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/v1/${DEMO_PROJECT.id}`;
    const logs = logCapture();
    const f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: dead }, undefined, undefined, { logDestination: logs.stream });
    cleanup.push(() => f.close());
    // Start-up read each version document once: Cinder's range, and why SDRS's could not be read.
    expect(logs.lines.find((l) => l.msg === 'upstream version document' && l.service === 'cinder')).toMatchObject({ maxVersion: '3.70', sentVersion: '3.70' });
    expect(logs.lines.find((l) => l.msg.startsWith('upstream version document could not be read') && l.service === 'sdrs')).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const ready = async () => {
      const res = await request(`${f.app.server.url}/readyz`);
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, any> };
    };
    // SDRS refused its start-up read: not reached since, so named, but only a circuit fails calls fast.
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'degraded', unreachable: ['sdrs'] } });
    // Connections refused count for everyone: a few requests open SDRS's circuit.
    await waitFor(
      async () => (await f.gql('{ protectionGroups(first: 1) { nodes { id } } }'), (await ready()).body.upstreams.sdrs.circuit),
      (c) => c === 'open',
      10_000,
      0,
    );
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'degraded', open: ['sdrs'] } });
    expect(logs.lines.find((l) => l.msg === 'circuit open')).toMatchObject({ service: 'sdrs', from: 'closed', to: 'open' });

    // The same with SDRS the only upstream configured: nothing can be answered, so not ready.
    const alone = await startFacade({ SDRS_URL: dead });
    cleanup.push(() => alone.close());
    await waitFor(
      async () => (await alone.gql('{ protectionGroups(first: 1) { nodes { id } } }'), alone.app.upstreams.sdrs!.http.breaker.state),
      (c) => c === 'open',
      10_000,
      0,
    );
    const res = await request(`${alone.app.server.url}/readyz`);
    expect(res.statusCode).toBe(503);
    expect(await res.body.json()).toMatchObject({ status: 'not-ready', open: ['sdrs'] });
  });
});

describe('with Keystone', () => {
  it('counts token cache hits and misses, puts user and project in the line, and covers each host in the gauges', async () => {
    const logs = logCapture();
    const f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs', METRICS_PORT: '0' }, undefined, undefined, { logDestination: logs.stream });
    cleanup.push(() => f.close());
    const token = `member:${DEMO_PROJECT.id}`;
    await f.ok('{ groups(first: 1) { nodes { id } } }', undefined, { token });
    await f.ok('{ groups(first: 1) { nodes { id } } }', undefined, { token });
    // METRICS_PORT: on a port of its own, not on the GraphQL port.
    expect(f.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await request(`${f.app.server.url}/metrics`)).statusCode).toBe(404);
    const text = await metrics(f.app.metricsUrl!);
    expect(text).toMatch(/^keystone_token_cache_misses_total 1$/m);
    expect(text).toMatch(/^keystone_token_cache_hits_total 1$/m);
    expect(text).toMatch(/^upstream_circuit_hosts\{service="cinder",state="closed"\} 1$/m);
    expect(text).toMatch(/^upstream_requests_total\{service="keystone",method="GET",route="\/auth\/tokens",status="200"\} 1$/m);
    expect(text).not.toContain(DEMO_PROJECT.id);
    const line = logs.lines.filter((l) => l.msg === 'graphql request').at(-1);
    expect(line).toMatchObject({ project: 'demo', projectId: DEMO_PROJECT.id, outcome: 'ok' });
    expect(line!.user).toBeTruthy();
    expect(logs.raw().includes(token)).toBe(false);
  });
});

describe('/readyz with a required Keystone', () => {
  it("reports the circuits readiness judges (each host's), not the process-wide client no caller uses", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/v3/${DEMO_PROJECT.id}`;
    const f = await startFacade({ SIMULATE: 'keystone', CINDER_URL: dead });
    cleanup.push(() => f.close());
    const body = async () => (await (await request(`${f.app.server.url}/readyz`)).body.json()) as Record<string, any>;
    await waitFor(
      async () => {
        for (const role of ['admin', 'member', 'reader']) await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: `${role}:${DEMO_PROJECT.id}` });
        return (await body()).open ?? [];
      },
      (open: string[]) => open.includes('cinder'),
      10_000,
      50,
    );
    // Before: `open` named cinder while upstreams.cinder said closed.
    expect((await body()).upstreams.cinder).toMatchObject({ circuit: 'open', inFlight: 0, queued: 0 });
  });
});
