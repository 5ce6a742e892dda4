import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { HttpClient, codeForStatus, createAgent, path } from '../../src/upstreams/http.js';

// A tiny fake upstream that answers each path with one canned response, to check every envelope the
// facade must understand becomes one typed UpstreamError.
const CANNED: Record<string, { status: number; type?: string; body: string; delay?: number }> = {
  '/item-not-found': { status: 404, body: '{"itemNotFound": {"code": 404, "message": "Group abc could not be found."}}' },
  '/compute-fault': { status: 500, body: '{"computeFault": {"code": 500, "message": "Unexpected API Error."}}' },
  '/not-acceptable': { status: 406, body: '{"computeFault": {"code": 406, "message": "Version 3.99 is not supported by the API."}}' },
  '/plain-404': { status: 404, type: 'text/plain', body: '404 Not Found\n\nThe resource could not be found.\n\n   ' },
  '/html-502': { status: 502, type: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1><script>x</script></body></html>' },
  '/sdrs-400': { status: 400, body: '{"error": {"code": "SDRS.1013", "message": "The protection group does not exist."}}' },
  '/badrequest-lower': { status: 400, body: '{"badrequest": {"code": "SDRS.0009", "message": "name is required"}}' },
  '/keystone-401': { status: 401, body: '{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}' },
  '/conflict': { status: 409, body: '{"conflictingRequest": {"code": 409, "message": "Invalid share group: %(reason)s"}}' },
  '/empty-204': { status: 204, body: '' },
  '/garbage-200': { status: 200, body: '{"groups": [ {"id": "x"' },
  // A byte order mark in front of the JSON (some Windows-hosted proxies and frameworks write one).
  '/bom-200': { status: 200, body: '\uFEFF{"groups": [{"id": "x"}]}' },
  '/bom-404': { status: 404, body: '\uFEFF{"itemNotFound": {"code": 404, "message": "Group abc could not be found."}}' },
  '/slow': { status: 200, body: '{}', delay: 1_500 },
  '/uri-too-long': { status: 414, type: 'text/html', body: '<html><body><h1>414 Request-URI Too Large</h1></body></html>' },
};

let server: Server;
let origin: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/echo') {
      // Echoes the JSON it was sent, repeated, in small writes: multi-byte characters straddle chunk boundaries.
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (raw += c));
      req.on('end', () => {
        const { name } = JSON.parse(raw) as { name: string };
        const out = Buffer.from(JSON.stringify({ names: Array.from({ length: 5_000 }, () => name), bytes: Buffer.byteLength(raw) }));
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < out.length; i += 1_001) res.write(out.subarray(i, i + 1_001));
        res.end();
      });
      return;
    }
    if (req.url === '/cut-off') {
      // Headers and half a body, then the connection drops.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"groups": [');
      setTimeout(() => res.destroy(), 50);
      return;
    }
    if (req.url === '/huge-declared') {
      // Declares 40 MB and sends a little: refused on the header, nothing read.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(40 * 1024 * 1024) });
      res.write('{"groups": [');
      setTimeout(() => res.destroy(), 500);
      return;
    }
    if (req.url === '/huge-chunked') {
      // No length declared, 33 MB streamed: cut off by the agent once past 32 MB.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 33 && res.write(chunk)) sent++;
        if (sent >= 33) res.end();
        else res.once('drain', () => { sent++; more(); });
      };
      res.on('error', () => {});
      more();
      return;
    }
    const c = CANNED[(req.url ?? '').split('?')[0]!] ?? { status: 404, type: 'text/plain', body: 'no route' };
    setTimeout(() => {
      res.writeHead(c.status, { 'content-type': c.type ?? 'application/json', 'x-openstack-request-id': 'req-1234' });
      res.end(c.body);
    }, c.delay ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(p: string, timeoutMs = 5_000): Promise<UpstreamError> {
  const client = new HttpClient({
    service: 'cinder',
    endpoint: origin,
    agent: createAgent({ connectMs: 1_000, headersMs: timeoutMs, bodyMs: timeoutMs }),
  });
  try {
    await client.send({ method: 'GET', path: p });
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error(`expected ${p} to fail`);
}

describe('oversized upstream bodies', () => {
  it.each(['/huge-declared', '/huge-chunked'])('%s becomes UPSTREAM_ERROR without buffering it all', async (p) => {
    const err = await failure(p);
    expect(err.code).toBe('UPSTREAM_ERROR');
    expect(err.message).toMatch(/more than 33554432 bytes/);
  });

  it('are cut off past 32 MB by the client itself, on an agent without a response limit of its own', async () => {
    const agent = new Agent();
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent });
    try {
      await expect(client.send({ method: 'GET', path: '/huge-chunked' })).rejects.toMatchObject({
        code: 'UPSTREAM_ERROR',
        message: expect.stringMatching(/more than 33554432 bytes/),
      });
    } finally {
      await agent.destroy();
    }
  });
});

describe('deadlines', () => {
  it('a call still waiting for a connection fails at its deadline, and is never sent', async () => {
    const agent = new Agent({ connections: 1 });
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent });
    try {
      const busy = client.send({ method: 'GET', path: '/slow?first' });
      await new Promise((r) => setTimeout(r, 50));
      const started = Date.now();
      await expect(client.send({ method: 'GET', path: '/item-not-found?queued', deadline: Date.now() + 200 })).rejects.toMatchObject({
        code: 'UPSTREAM_TIMEOUT',
      });
      // The only connection is busy for 1.5 s; the queued call gives up at its own deadline, not then.
      expect(Date.now() - started).toBeLessThan(1_000);
      await busy;
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toContain('/slow?first');
      expect(seen).not.toContain('/item-not-found?queued');
    } finally {
      await agent.destroy();
    }
  });
});

describe('upstream error envelopes', () => {
  it.each([
    ['/item-not-found', 'NOT_FOUND', 404, 'itemNotFound', 'Group abc could not be found.'],
    // A server error's own text is logged, not shown: it may be a traceback.
    ['/compute-fault', 'UPSTREAM_ERROR', 500, 'computeFault', 'Cinder failed (HTTP 500).'],
    ['/not-acceptable', 'NOT_SUPPORTED', 406, 'computeFault', 'Version 3.99 is not supported by the API.'],
    ['/plain-404', 'NOT_FOUND', 404, null, 'Cinder answered HTTP 404 with a body that is not a JSON error.'],
    ['/html-502', 'UPSTREAM_UNAVAILABLE', 502, null, 'Cinder answered HTTP 502 with a body that is not a JSON error.'],
    ['/sdrs-400', 'BAD_USER_INPUT', 400, 'SDRS.1013', 'The protection group does not exist.'],
    ['/badrequest-lower', 'BAD_USER_INPUT', 400, 'SDRS.0009', 'name is required'],
    ['/keystone-401', 'UNAUTHENTICATED', 401, 'error', 'The request you have made requires authentication.'],
    ['/conflict', 'CONFLICT', 409, 'conflictingRequest', 'Invalid share group'],
    ['/garbage-200', 'UPSTREAM_ERROR', 200, null, 'Cinder answered HTTP 200 with a body that is not JSON.'],
  ])('%s -> %s', async (p, code, status, upstreamCode, message) => {
    const err = await failure(p);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
    expect(err.upstreamCode).toBe(upstreamCode);
    expect(err.message).toBe(message);
    expect(err.service).toBe('cinder');
    expect(err.message).not.toContain('<');
    if (status !== 200) expect(err.requestId).toBe('req-1234');
  });

  it('a 414 (URI too long) is the request\'s fault: BAD_USER_INPUT saying the request was too long', async () => {
    const err = await failure('/uri-too-long');
    expect(codeForStatus(414)).toBe('BAD_USER_INPUT');
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', status: 414 });
    expect(err.message).toBe('The request was too long for Cinder (HTTP 414, URI too long): ask for fewer items or shorter filter values.');
  });

  it('sends and reads UTF-8 whole, whatever the chunk boundaries', async () => {
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent() });
    const name = 'Bestände – 日本語 🚀';
    const res = await client.send({ method: 'POST', path: '/echo', body: { name } });
    const json = res.json as { names: string[]; bytes: number };
    expect(json.bytes).toBe(Buffer.byteLength(JSON.stringify({ name })));
    expect(json.names).toHaveLength(5_000);
    expect(json.names.every((n) => n === name)).toBe(true);
  });

  it('a body that starts with a byte order mark is read as the JSON after it (RFC 8259 lets a parser ignore it)', async () => {
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent() });
    const res = await client.send({ method: 'GET', path: '/bom-200' });
    expect(res.json).toEqual({ groups: [{ id: 'x' }] });
    const err = await failure('/bom-404');
    expect(err).toMatchObject({ code: 'NOT_FOUND', upstreamCode: 'itemNotFound', message: 'Group abc could not be found.' });
  });

  it('an empty 204 is a success without a body', async () => {
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent() });
    const res = await client.send({ method: 'POST', path: '/empty-204', body: {} });
    expect(res).toMatchObject({ status: 204, json: undefined });
  });

  it('a slow upstream becomes UPSTREAM_TIMEOUT', async () => {
    const err = await failure('/slow', 300);
    expect(err.code).toBe('UPSTREAM_TIMEOUT');
    expect(err.status).toBe(0);
  });

  it('a connection that drops in the middle of a body becomes UPSTREAM_UNAVAILABLE, not a hang', async () => {
    const err = await failure('/cut-off');
    expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/^Cinder's answer broke off before its end \(/);
  });

  it('a refused connection becomes UPSTREAM_UNAVAILABLE', async () => {
    const client = new HttpClient({ service: 'manila', endpoint: 'http://127.0.0.1:1', agent: createAgent() });
    await expect(client.send({ method: 'GET', path: '/x' })).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', service: 'manila' });
  });

  it('path() encodes every interpolated segment', async () => {
    expect(path`/groups/${'../../x'}/action`).toBe('/groups/..%2F..%2Fx/action');
    expect(path`/groups/${'a b?c#d%'}`).toBe('/groups/a%20b%3Fc%23d%25');
  });
});
