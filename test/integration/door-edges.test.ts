// The HTTP door on cases a probe found: a request target no URL can be made of crashed the process (a TypeError
// thrown in the request listener, over HTTP and on a WebSocket upgrade); Node's own answers to an odd Expect, a
// missing Host and (on METRICS_PORT) a malformed request had no X-Request-Id; GraphiQL asset names of
// Object.prototype were a 500; graphql-sse's own refusals and body refusals wrote no log line; every SSE stream a
// client ended was logged as an abort.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { request } from 'undici';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createCinderSimulator } from '../../src/simulator/cinder/index.js';
import { serveSimulator } from '../../src/simulator/server.js';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { answer, faultyProxy } from '../helpers/faultyProxy.js';
import { logCapture } from '../helpers/logs.js';
import { portOf, rawExchange } from '../helpers/raw.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const healthy = async (facade: Facade) => (await request(`${facade.app.server.url}/healthz`)).statusCode;

describe('a request target no URL can be made of', () => {
  it('over HTTP: a JSON refusal with the id (400, or 404 for an odd path), and the facade still serves', async () => {
    f = await startFacade({});
    for (const target of ['//[', '//h:99999/graphql', 'http://[']) {
      const r = await rawExchange(portOf(f), `POST ${target} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}`);
      // An origin-form target is a path on this server (not /graphql: 404); an absolute one that is no URL: 400.
      const expected = target.startsWith('/') ? 404 : 400;
      expect(r.status, target).toBe(expected);
      expect(JSON.parse(r.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] });
    }
    expect(await healthy(f)).toBe(200);
  });

  it('on a WebSocket upgrade: refused with 400, and the facade still serves', async () => {
    f = await startFacade({});
    const r = await rawExchange(
      portOf(f),
      'GET //[x]/graphql HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\n' +
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    expect(r.status).toBe(404);
    const broken = await rawExchange(
      portOf(f),
      'GET http://[ HTTP/1.1\r\nhost: x\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\n' +
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    expect(broken.status).toBe(400);
    expect(broken.headers['x-request-id']).toMatch(REQ_ID);
    expect(await healthy(f)).toBe(200);
  });
});

describe("answers Node gave without the facade's id", () => {
  it('an Expect other than 100-continue: 417 with the id and a JSON error', async () => {
    f = await startFacade({});
    const r = await rawExchange(portOf(f), 'POST /graphql HTTP/1.1\r\nhost: x\r\nexpect: fancy\r\ncontent-length: 2\r\n\r\n{}');
    expect(r.status).toBe(417);
    expect(JSON.parse(r.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] });
    expect(r.headers['x-request-id']).toMatch(REQ_ID);
    // 100-continue beside another expectation is still one this server does not meet (Node's own check took it).
    const listed = await rawExchange(portOf(f), 'POST /graphql HTTP/1.1\r\nhost: x\r\nexpect: 100-Continue, foo\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
    expect(listed.status).toBe(417);
  });

  it('an HTTP/1.1 request without Host: 400 with the id and a JSON error (on METRICS_PORT too)', async () => {
    f = await startFacade({ METRICS_PORT: '0' });
    const metricsPort = Number(new URL(f.app.metricsUrl!).port);
    for (const [port, path] of [[portOf(f), '/healthz'], [metricsPort, '/metrics']] as const) {
      const r = await rawExchange(port, `GET ${path} HTTP/1.1\r\nconnection: close\r\n\r\n`);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).errors[0]).toEqual({ message: 'An HTTP/1.1 request must carry a Host header.', extensions: { code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] } });
    }
    // HTTP/1.0 needs none.
    expect((await rawExchange(portOf(f), 'GET /healthz HTTP/1.0\r\n\r\n')).status).toBe(200);
  });

  it('CONNECT: 405 with the id and a JSON error, not a dropped connection; a WebSocket upgrade without Host: 400', async () => {
    f = await startFacade({});
    const connectAnswer = await rawExchange(portOf(f), 'CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n');
    expect(connectAnswer.status).toBe(405);
    expect(JSON.parse(connectAnswer.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: connectAnswer.headers['x-request-id'] });
    const upgrade = await rawExchange(
      portOf(f),
      'GET /graphql HTTP/1.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-version: 13\r\n' +
        'sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-protocol: graphql-transport-ws\r\n\r\n',
    );
    expect(upgrade.status).toBe(400);
  });

  it("METRICS_PORT: a request Node's parser refuses gets the id and a JSON error", async () => {
    f = await startFacade({ METRICS_PORT: '0' });
    const r = await rawExchange(Number(new URL(f.app.metricsUrl!).port), 'GET /metrics HTTP/1.1\r\nhost: x\r\nbad header: y\r\n\r\n');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: r.headers['x-request-id'] });
  });
});

describe('GET /graphql asking for an event stream', () => {
  it('is SSE (as Hive Gateway subscribes): a query there is refused with the request id and where queries go', async () => {
    f = await startFacade({});
    const res = await request(`${f.app.server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'text/event-stream' } });
    const body = (await res.body.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(res.statusCode).toBe(400);
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST', requestId: res.headers['x-request-id'] });
    expect(body.errors[0]!.message).toMatch(/Only subscriptions are served over SSE/);
    // A GET that prefers JSON is a query as before.
    const plain = await request(`${f.app.server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json, text/event-stream;q=0.5', 'apollo-require-preflight': 'true' },
    });
    expect(plain.statusCode).toBe(200);
    await plain.body.text();
  });
});

describe('an Upgrade other than WebSocket (curl --http2 offers h2c)', () => {
  it('is ignored, as HTTP/1.1 allows: /healthz, /readyz and POST /graphql answer as without it (they were 404 and 405)', async () => {
    f = await startFacade({ MAX_CONNECTIONS_PER_CLIENT: '3' });
    const h2c = 'connection: close, Upgrade, HTTP2-Settings\r\nupgrade: h2c\r\nhttp2-settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n';
    for (const path of ['/healthz', '/readyz']) {
      const r = await rawExchange(portOf(f), `GET ${path} HTTP/1.1\r\nhost: x\r\nx-request-id: h2c-${path.slice(1)}\r\n${h2c}\r\n`);
      expect([r.status, r.headers['x-request-id']], path).toEqual([200, `h2c-${path.slice(1)}`]);
    }
    const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
    // More than MAX_CONNECTIONS_PER_CLIENT of them, one after the other: each is counted once, and given back.
    for (let i = 0; i < 5; i++) {
      const r = await rawExchange(portOf(f), `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n${h2c}\r\n${body}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).data.groups.nodes).toHaveLength(1);
    }
  });
});

describe('GraphiQL assets', () => {
  it("names of Object.prototype are not assets: 404, not a 500 with an error line", async () => {
    f = await startFacade({});
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const res = await request(`${f.app.server.url}/graphiql/${name}`);
      await res.body.text();
      expect(res.statusCode, name).toBe(404);
    }
    const real = await request(`${f.app.server.url}/graphiql/graphiql.css`);
    await real.body.text();
    expect(real.statusCode).toBe(200);
  });
});

describe('subscriptions over SSE: log lines', () => {
  async function loggedFacade() {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    return logs;
  }

  it("graphql-sse's own refusals and body refusals write one line each, with the id", async () => {
    const logs = await loggedFacade();
    const cases: [Record<string, string>, string, number][] = [
      [{}, '{"query":"subscription { group(id: \\"x\\") { id } }"}', 415],
      [{ 'content-type': 'application/json' }, 'not json', 400],
      [{ 'content-type': 'application/json' }, '[]', 400],
      [{ 'content-type': 'application/json' }, `{"query":"${'a'.repeat(300_000)}"}`, 413],
    ];
    for (const [headers, body, status] of cases) {
      const res = await request(f!.url, { method: 'POST', headers: { accept: 'text/event-stream', ...headers }, body });
      await res.body.text().catch(() => '');
      expect(res.statusCode, body.slice(0, 20)).toBe(status);
      const id = res.headers['x-request-id'] as string;
      const line = await waitFor(async () => logs.lines.find((l) => l.requestId === id), (l) => l !== undefined, 2_000, 20);
      expect(line).toMatchObject({ msg: 'graphql subscription refused', transport: 'sse', status, outcome: 'refused' });
      expect(logs.lines.filter((l) => l.requestId === id)).toHaveLength(1);
    }
  });

  it('a subscription the client ends is not logged as an aborted request', async () => {
    const logs = await loggedFacade();
    const res = await request(f!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-request-id': 'sse-end-1' },
      body: JSON.stringify({ query: 'subscription { group(id: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01") { id status } }' }),
    });
    for await (const chunk of res.body) if (chunk.toString().includes('event: next')) break;
    res.body.destroy();
    // The subscription's own line records its end; nothing says the client aborted a request.
    await waitFor(async () => logs.lines.find((l) => l.requestId === 'sse-end-1' && l.msg === 'graphql subscription'), (l) => l !== undefined, 3_000, 20);
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.lines.filter((l) => l.requestId === 'sse-end-1' && l.level === 40).map((l) => l.msg)).toEqual([]);
  });
});

describe('a persisted-query hash on a subscription', () => {
  it('is checked as a query\'s is: a hash that does not match is refused, a hash alone is not enough', async () => {
    f = await startFacade({});
    const query = 'subscription { group(id: "9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01") { id } }';
    const sha = createHash('sha256').update(query).digest('hex');
    const send = async (body: Record<string, unknown>) => {
      const res = await request(f!.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(body) });
      const text = await (async () => {
        if (!String(res.headers['content-type']).includes('json')) {
          res.body.destroy();
          return '';
        }
        return res.body.text();
      })();
      return { status: res.statusCode, code: text ? JSON.parse(text).errors?.[0]?.extensions?.code : undefined };
    };
    const persisted = (sha256Hash: unknown) => ({ persistedQuery: { version: 1, sha256Hash } });
    expect(await send({ query, extensions: persisted('0'.repeat(64)) })).toEqual({ status: 400, code: 'BAD_REQUEST' });
    // Subscriptions keep no store of documents: graphql-sse refuses a subscribe without its document.
    expect(await send({ extensions: persisted(sha) })).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect(await send({ query, extensions: persisted(5) })).toEqual({ status: 400, code: 'BAD_REQUEST' });
    expect((await send({ query, extensions: persisted(sha) })).status).toBe(200);
  });
});

describe('clients that stop reading', () => {
  it('a WebSocket client that pings without reading the pongs is cut once 4 MiB wait unread, with a log line', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    const ws = new WebSocket(f.url.replace(/^http/, 'ws'), 'graphql-transport-ws', { headers: { 'x-request-id': 'ws-unread-1' } });
    ws.on('error', () => {});
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    ws.send(JSON.stringify({ type: 'connection_init' }));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    // Stop reading; each ping's payload comes back in its pong, so 200 of 100 KB ask for 20 MB of answers.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = { pad: 'x'.repeat(100_000) };
    for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ type: 'ping', payload }));
    const line = await waitFor(async () => logs.lines.find((l) => l.msg === 'WebSocket client stopped reading; connection cut'), (l) => l !== undefined, 10_000, 50);
    ws.terminate();
    expect(line).toMatchObject({ requestId: 'ws-unread-1' });
    expect(line!.unreadBytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(await healthy(f!)).toBe(200);
  });

  it('a client that leaves while its write runs upstream: the request keeps its slot until the write is over', async () => {
    f = await startFacade({});
    f.app.simulators.cinder!.setDelay(600);
    const body = JSON.stringify({ query: 'mutation { createGroupType(input: { name: "left-behind" }) { groupType { id } } }' });
    const socket = connect(portOf(f), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    // Before: 0 at once, while its upstream call ran on; the door let others in on top of it.
    expect(f.app.server.inFlight()).toBe(1);
    expect(await waitFor(async () => f!.app.server.inFlight(), (n) => n === 0, 3_000, 20)).toBe(0);
    // A write is never cut: it was made.
    f.app.simulators.cinder!.setDelay(0);
    const types = await f.ok<{ groupTypes: { name: string }[] }>('{ groupTypes { name } }');
    expect(types.groupTypes.map((t) => t.name)).toContain('left-behind');
  });

  it('a client that leaves while its reads run upstream: they are cut, its slot is free at once, nothing counts it as an upstream failure', async () => {
    const sim = await serveSimulator(createCinderSimulator({}).handler);
    const proxy = await faultyProxy(sim.origin);
    const logs = logCapture();
    f = await startFacade({ CINDER_URL: `${proxy.origin}/v3/${PROJECT}`, MAX_IN_FLIGHT: '1' }, undefined, undefined, { logDestination: logs.stream });
    let upstreamSawClose = false;
    proxy.misbehave(/^GET \/v3\/[^/]+\/groups\/detail/, (_req, res) => {
      res.once('close', () => (upstreamSawClose = !res.writableFinished));
      setTimeout(() => res.writableEnded || answer(200, { groups: [] })(_req, res), 3_000);
    });
    try {
      const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
      const socket = connect(portOf(f), '127.0.0.1');
      socket.on('error', () => {});
      socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-request-id: left-early\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      await waitFor(async () => proxy.seen.some((s) => s.includes('/groups/detail')), Boolean, 3_000, 10);
      socket.destroy();
      // Before: the read ran its 3 s, holding the only slot; the next caller got 503 OVERLOADED.
      expect(await waitFor(async () => f!.app.server.inFlight(), (n) => n === 0, 1_000, 10)).toBe(0);
      expect(await waitFor(async () => upstreamSawClose, Boolean, 1_000, 10)).toBe(true);
      proxy.heal();
      expect((await f.gql('{ groups(first: 1) { nodes { id } } }')).errors).toBeUndefined();
      const mine = logs.lines.filter((l) => l.requestId === 'left-early');
      expect(mine.some((l) => l.msg === 'upstream call failed' || l.msg === 'upstream call failed; retrying')).toBe(false);
      expect(proxy.seen.filter((s) => s.includes('/groups/detail'))).toHaveLength(2);
    } finally {
      await f.close();
      f = undefined;
      await proxy.close();
      await sim.close();
    }
  });
});

describe('a drain whose grace period ends with a request still running', () => {
  it('logs the cut as the facade\'s (503 SHUTTING_DOWN), not as a client that left (499)', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    f.app.simulators.cinder!.setDelay(1_500);
    const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
    const socket = connect(portOf(f), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-request-id: cut-at-drain\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    await f.app.drain(200);
    const line = await waitFor(async () => logs.lines.find((l) => l.requestId === 'cut-at-drain' && l.msg === 'graphql request'), (l) => l !== undefined, 3_000, 20);
    expect(line).toMatchObject({ status: 503, outcome: 'error', errorCodes: ['SHUTTING_DOWN'] });
    const mine = logs.lines.filter((l) => l.requestId === 'cut-at-drain').map((l) => l.msg);
    expect(mine).toContain('answer cut: the shutdown grace period ended first');
    expect(mine.some((m) => String(m).startsWith('client closed the connection'))).toBe(false);
    socket.destroy();
    f = undefined;
  });
});

describe('listening on an IPv6 literal (HOST=::1)', () => {
  it('names itself with a URL a client can use: http://[::1]:port (was http://::1:port)', async () => {
    f = await startFacade({ HOST: '::1' });
    expect(f.app.server.url).toMatch(/^http:\/\/\[::1\]:\d+$/);
    const res = await request(`${f.app.server.url}/healthz`);
    expect(res.statusCode).toBe(200);
    await res.body.text();
  });
});

describe('a request admitted before the drain', () => {
  it('is answered with Connection: close, so its client sends nothing more on a connection about to close', async () => {
    f = await startFacade({});
    f.app.simulators.cinder!.setDelay(500);
    const body = JSON.stringify({ query: '{ groups(first: 1) { nodes { id } } }' });
    const socket = connect(portOf(f), '127.0.0.1');
    socket.on('error', () => {});
    let head = '';
    socket.on('data', (c) => (head += c.toString()));
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    const drained = f.app.drain(3_000);
    await waitFor(async () => head, (h) => h.includes('\r\n\r\n'), 3_000, 10);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    // Before: `Connection: keep-alive`, and the facade closed the socket anyway once idle, so the next request met a reset.
    expect(head.toLowerCase()).toContain('connection: close');
    expect(await drained).toBe(0);
    socket.destroy();
    f = undefined;
  });
});

describe('a drain that cuts a write still waiting on its upstream', () => {
  it('resolves only once the cut request has written its line (main.ts exits right after: the line was lost)', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    f.app.simulators.cinder!.setDelay(3_000);
    const body = JSON.stringify({ query: 'mutation { createGroupType(input: { name: "cut-at-drain" }) { groupType { id } } }' });
    const socket = connect(portOf(f), '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-request-id: write-cut-at-drain\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    await waitFor(async () => f!.app.server.inFlight(), (n) => n === 1, 2_000, 10);
    const started = Date.now();
    await f.app.drain(200);
    expect(Date.now() - started).toBeLessThan(2_500);
    const line = logs.lines.find((l) => l.requestId === 'write-cut-at-drain' && l.msg === 'graphql request');
    expect(line).toMatchObject({ status: 503, outcome: 'error', errorCodes: ['SHUTTING_DOWN'] });
    socket.destroy();
    f = undefined;
  });
});

describe('a pipelined request whose connection closes while it waits behind another', () => {
  it('gives its slot back: its answer never gets the connection, nor a close of its own', async () => {
    f = await startFacade({ MAX_IN_FLIGHT: '3' });
    const post = (query: string) => {
      const body = JSON.stringify({ query });
      return `POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    f.app.simulators.cinder!.setDelay(400);
    for (let i = 0; i < 3; i++) {
      const socket = connect(portOf(f), '127.0.0.1');
      socket.on('error', () => {});
      // A slow read, then a quick one whose answer queues behind it; the client leaves before either is out.
      socket.write(post('{ groups(first: 1) { nodes { id } } }') + post('{ __typename }'));
      await new Promise((r) => setTimeout(r, 150));
      socket.destroy();
    }
    // Once the slow reads are over, nothing holds a slot: before, each queued answer held one for good.
    expect(await waitFor(async () => f!.app.server.inFlight(), (n) => n === 0, 3_000, 50)).toBe(0);
    expect((await f.gql('{ __typename }')).status).toBe(200);
  });
});
