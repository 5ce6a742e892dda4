// Upstream reads the facade cuts itself: a client that left, a drain whose grace period ended. Neither is the
// upstream's fault, yet (operator probe of 2026-12-07) a client that left counted as an upstream `status="error"`,
// made its call's span an ERROR and put UPSTREAM_UNAVAILABLE in the request's line; and a drain cut was logged as
// "upstream call failed; retrying", sent again and counted by the breaker.
import { connect } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { portOf } from '../helpers/raw.js';
import { SEED } from '../../src/simulator/cinder/index.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

/** Sends one query on a raw socket with `requestId`, and returns the socket (the test decides when it leaves). */
function sendRaw(facade: Facade, requestId: string) {
  const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
  const socket = connect(portOf(facade), '127.0.0.1');
  socket.on('error', () => {});
  socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-request-id: ${requestId}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
  return socket;
}

const cinderReads = (text: string, status: string) =>
  text.split('\n').filter((l) => l.startsWith('upstream_requests_total{') && l.includes('service="cinder"') && l.includes(`status="${status}"`));

describe('a read cut because its client left', () => {
  it('is counted as cancelled, not as an upstream error, in the metrics, the span and the request line', async () => {
    const logs = logCapture();
    const spans = new InMemorySpanExporter();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream, spanExporter: spans });
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery, out of the way
    f.app.simulators.cinder!.setDelay(2_000);
    const socket = sendRaw(f, 'left-mid-read');
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    await new Promise((r) => setTimeout(r, 300)); // the page's read is out
    socket.destroy();
    const line = await waitFor(async () => logs.lines.find((l) => l.requestId === 'left-mid-read' && l.msg === 'graphql request'), (l) => l !== undefined, 3_000, 20);
    expect(line).toMatchObject({ status: 499, outcome: 'aborted' });
    expect(line!.errorCodes ?? []).not.toContain('UPSTREAM_UNAVAILABLE');
    const text = await (await request(`${f.app.server.url}/metrics`)).body.text();
    expect(cinderReads(text, 'error')).toEqual([]);
    expect(cinderReads(text, 'cancelled').length).toBeGreaterThan(0);
    await f.app.observability.flush();
    const calls = spans.getFinishedSpans().filter((s: ReadableSpan) => s.attributes['upstream.service'] === 'cinder' && s.attributes['http.response.status_code'] === undefined);
    expect(calls.length).toBeGreaterThan(0);
    for (const s of calls) {
      expect(s.status.code, s.name).not.toBe(2); // ERROR
      expect(s.attributes['upstream.cancelled']).toBe('client_left');
    }
    expect(logs.lines.filter((l) => l.requestId === 'left-mid-read' && String(l.msg).startsWith('upstream call failed'))).toEqual([]);
  });
});

describe('a read still out when the drain\'s grace period ends', () => {
  it('is not blamed on the upstream: no failure line, no retry, one call', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    f.app.simulators.cinder!.setDelay(3_000);
    const socket = sendRaw(f, 'cut-by-drain');
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    await f.app.drain(300);
    const line = await waitFor(async () => logs.lines.find((l) => l.requestId === 'cut-by-drain' && l.msg === 'graphql request'), (l) => l !== undefined, 3_000, 20);
    expect(line, JSON.stringify(line)).toMatchObject({ status: 503, errorCodes: ['SHUTTING_DOWN'], upstreamCalls: 1 });
    const failures = logs.lines.filter((l) => String(l.msg).startsWith('upstream call failed'));
    expect(failures, JSON.stringify(failures)).toEqual([]);
    socket.destroy();
    f = undefined;
  });
});

// Probe of 2026-12-08: a mutation field not started when the client left still sent its write 1.2 s later (a
// rename, then an SDRS protection job), so the client, which saw a reset, would retry it and run it twice.
describe('a write not sent yet when its client left', () => {
  it('is not sent: a later mutation field writes nothing, the one already out completes once', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    const cinder = f.app.simulators.cinder!;
    cinder.setDelay(1_000);
    cinder.resetCalls();
    const mutation = `mutation { a: updateGroup(input: { id: "${SEED.groups.dbClusterProd}", description: "first" }) { settled } b: updateGroup(input: { id: "${SEED.groups.dbClusterProd}", description: "second" }) { settled } }`;
    const body = JSON.stringify({ query: mutation });
    const socket = connect(portOf(f), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-request-id: left-mid-write\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitFor(async () => cinder.calls.filter((c) => c.method === 'PUT').length, (n) => n === 1, 3_000, 10);
    socket.destroy();
    await waitFor(async () => logs.lines.find((l) => l.requestId === 'left-mid-write' && l.msg === 'graphql request'), (l) => l !== undefined, 5_000, 20);
    await new Promise((r) => setTimeout(r, 1_500)); // as long as b's write would take to be sent after a's answer
    expect(cinder.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
    cinder.setDelay(0);
    const d = await f.ok<any>(`{ group(id: "${SEED.groups.dbClusterProd}") { description } }`);
    expect(d.group.description).toBe('first');
  });
});

// Probe of 2026-12-08: a write reached with milliseconds of the request's time left (a later mutation field, or
// one that waited for a connection) was sent, cut at the deadline and answered OUTCOME_UNKNOWN, though it happened.
describe('a write with too little of its request time left', () => {
  it('is not sent: UPSTREAM_TIMEOUT saying so, and the upstream never sees it', async () => {
    f = await startFacade({ REQUEST_DEADLINE_MS: '2000' }); // a write needs 500 ms left
    await f.ok('{ groups(first: 1) { nodes { id } } }');
    const cinder = f.app.simulators.cinder!;
    cinder.setDelay(850); // field a: its PUT and its re-read, 1.7 s; field b would have 0.3 s
    cinder.resetCalls();
    const id = SEED.groups.dbClusterProd;
    const r = await f.gql(`mutation { a: updateGroup(input: { id: "${id}", description: "first" }) { settled } b: updateGroup(input: { id: "${id}", description: "second" }) { settled } }`);
    expect(cinder.calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
    const b = r.errors?.find((e) => e.path?.[0] === 'b');
    expect(b?.extensions?.code, r.raw).toBe('UPSTREAM_TIMEOUT');
    expect(b?.message).toMatch(/this write was not sent, so nothing of it happened/);
  });
});
