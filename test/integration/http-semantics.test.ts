// GraphQL over HTTP as real clients and routers speak it, on cases a probe found: urql's default Accept header
// (JSON and event streams at the same weight) sent every query and mutation to the SSE transport, which refused
// them; Hive Gateway's subscriptions (GET with Accept: text/event-stream) were 406; answers of per-caller data
// carried no Cache-Control; a deeply nested literal answered "RangeError: Maximum call stack size exceeded";
// `Application/JSON` was not JSON, and `application/jsonx` was; wrong methods on the probes were 404 and HEAD was refused where GET is served;
// 401s carried no challenge; Expect: 100-continue was answered 100 before a refusal the headers already decided.
import { Client, fetchExchange } from '@urql/core';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { portOf, rawExchange } from '../helpers/raw.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const TOKEN = `admin:${DEMO_PROJECT.id}`;
const GROUP_ID = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b05';

describe('urql with its defaults (GET for queries, Accept naming JSON and event streams alike)', () => {
  it('runs a query and a mutation', async () => {
    f = await startFacade({});
    const client = new Client({ url: f.url, exchanges: [fetchExchange], fetchOptions: { headers: { 'x-auth-token': TOKEN } } });
    const q = await client.query('{ groups(first: 2) { totalCount nodes { id } } }', {}).toPromise();
    expect(q.error).toBeUndefined();
    expect(q.data.groups.nodes).toHaveLength(2);
    const m = await client
      .mutation('mutation($n: String!) { createGroupType(input: { name: $n }) { groupType { name } } }', { n: 'by-urql' })
      .toPromise();
    expect(m.error).toBeUndefined();
    expect(m.data.createGroupType.groupType.name).toBe('by-urql');
  });

  it('without a token header, a GET query is still held to CSRF prevention', async () => {
    f = await startFacade({});
    const res = await request(`${f.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json, text/event-stream' } });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toMatch(/CSRF/);
  });
});

describe('subscriptions over SSE chosen by the document when Accept weighs JSON and event streams alike', () => {
  const SUB = `subscription { group(id: "${GROUP_ID}") { id } }`;

  it('GET with Accept: text/event-stream (what Hive Gateway sends) streams the subscription', async () => {
    f = await startFacade({});
    const res = await request(`${f.url}?query=${encodeURIComponent(SUB)}`, { headers: { accept: 'text/event-stream', 'x-auth-token': TOKEN } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await firstEvent(res.body)).toContain(`"id":"${GROUP_ID}"`);
  });

  it('POST with a tie streams a subscription and answers a query as JSON', async () => {
    f = await startFacade({});
    const accept = 'application/graphql-response+json, application/json, text/event-stream';
    const headers = { accept, 'content-type': 'application/json', 'x-auth-token': TOKEN };
    const sub = await request(f.url, { method: 'POST', headers, body: JSON.stringify({ query: SUB }) });
    expect(sub.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await firstEvent(sub.body)).toContain(`"id":"${GROUP_ID}"`);
    // A document naming "subscription" in a string is still a query.
    const q = await request(f.url, { method: 'POST', headers, body: JSON.stringify({ query: '{ groups(filter: { name: "subscription" }) { totalCount } }' }) });
    expect(q.statusCode).toBe(200);
    expect(await q.body.json()).toMatchObject({ data: { groups: { totalCount: 0 } } });
  });
});

describe('a request routed by its document (Accept weighing JSON and event streams alike)', () => {
  const TIE = 'application/json, text/event-stream';

  it('refused on its headers is answered without its body being asked for', async () => {
    f = await startFacade({});
    const r = await rawExchange(
      portOf(f),
      `POST /graphql HTTP/1.1\r\nhost: x\r\naccept: ${TIE}\r\ncontent-type: application/json\r\nx-auth-token: bad token\r\n` +
        'content-length: 26\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n',
    );
    expect(r.status).toBe(401);
  });

  it('has its body refusal logged and counted like any request', async () => {
    const logs = logCapture();
    f = await startFacade({}, undefined, undefined, { logDestination: logs.stream });
    const res = await request(f.url, { method: 'POST', headers: { accept: TIE, 'content-type': 'application/json' }, body: 'x'.repeat(300_000) });
    expect(res.statusCode).toBe(413);
    await res.body.text();
    expect(logs.lines.filter((l) => l.msg === 'graphql request' && l.status === 413)).toHaveLength(1);
  });
});

describe('answers of per-caller data', () => {
  it('are never stored by a shared cache (Cache-Control: no-store), over GET and POST', async () => {
    f = await startFacade({});
    const get = await request(`${f.url}?query=${encodeURIComponent('{ groups(first: 1) { totalCount } }')}`, {
      headers: { 'apollo-require-preflight': '1', 'x-auth-token': TOKEN },
    });
    expect(get.statusCode).toBe(200);
    expect(get.headers['cache-control']).toBe('no-store');
    await get.body.text();
    const post = await f.gql('{ __typename }');
    expect(post.status).toBe(200);
    const res = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(res.headers['cache-control']).toBe('no-store');
    await res.body.text();
  });
});

describe('documents nested past what any screen needs', () => {
  const nested = (depth: number) => `{ __typename(x: ${'['.repeat(depth)}1${']'.repeat(depth)}) }`;

  it('are refused with a clear 400 and no stack overflow text, over HTTP and SSE', async () => {
    f = await startFacade({});
    for (const depth of [200, 2500, 20_000]) {
      const r = await f.gql(nested(depth));
      expect(r.status, `depth ${depth}`).toBe(400);
      expect(r.raw).not.toMatch(/RangeError|call stack/);
      expect(r.errors?.[0]?.message).toMatch(/nests .* deeper than 64 levels/);
    }
    // A comment ended by a bare carriage return hid the brackets from the check, not from the parser: a 500.
    const hidden = await f.gql(`{ __typename } #\r query B ${nested(3000)}`);
    expect(hidden.status).toBe(400);
    expect(hidden.errors?.[0]?.message).toMatch(/nests .* deeper than 64 levels/);
    const sse = await request(f.url, {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: `subscription { group(id: "${GROUP_ID}", x: ${'['.repeat(2500)}1${']'.repeat(2500)}) { id } }` }),
    });
    const text = await sse.body.text();
    expect(sse.statusCode).toBe(400);
    expect(text).not.toMatch(/RangeError|call stack/);
  });
});

describe('the HTTP door', () => {
  it('takes media types in any case', async () => {
    f = await startFacade({});
    for (const type of ['Application/JSON', 'APPLICATION/JSON; charset=UTF-8']) {
      const res = await request(f.url, { method: 'POST', headers: { 'content-type': type }, body: '{"query":"{ __typename }"}' });
      expect(res.statusCode, type).toBe(200);
      expect(await res.body.json()).toMatchObject({ data: { __typename: 'Query' } });
    }
  });

  // Read as JSON before (the check was "contains json"), charset=utf-16 as UTF-8 (probe of 2026-12-07).
  it('reads only application/json as JSON, and refuses it in a charset other than UTF-8 with 415', async () => {
    f = await startFacade({});
    const post = (type: string) => request(f!.url, { method: 'POST', headers: { 'content-type': type }, body: '{"query":"{ __typename }"}' });
    for (const type of ['application/jsonx', 'text/json', 'application/graphql-response+json']) {
      const res = await post(type);
      expect(res.statusCode, type).toBe(400);
      expect(await res.body.json(), type).not.toHaveProperty('data');
    }
    for (const type of ['application/json; charset=utf-16', 'application/json; charset="latin1"']) {
      const res = await post(type);
      expect(res.statusCode, type).toBe(415);
      expect(((await res.body.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/UTF-8 JSON/);
    }
    expect((await post('application/json; charset="utf-8"')).statusCode).toBe(200);
  });

  it('answers 405 with Allow for a wrong method on the probes, and HEAD wherever GET is served', async () => {
    f = await startFacade({});
    const base = f.app.server.url;
    for (const [method, path] of [['POST', '/healthz'], ['PUT', '/readyz'], ['DELETE', '/metrics']] as const) {
      const res = await request(`${base}${path}`, { method });
      expect(res.statusCode, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      await res.body.text();
    }
    const page = await request(`${base}/graphql`, { headers: { accept: 'text/html' } });
    const asset = /\/graphiql\/[\w.-]+\.js/.exec(await page.body.text())![0];
    for (const path of [asset, '/healthz', '/readyz']) {
      const head = await request(`${base}${path}`, { method: 'HEAD' });
      expect(head.statusCode, path).toBe(200);
      await head.body.text();
    }
    const html = await request(`${base}/graphql`, { method: 'HEAD', headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    await html.body.text();
  });

  it('serves GraphiQL only to be shown in its own window (no framing)', async () => {
    f = await startFacade({});
    const page = await request(`${f.app.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    await page.body.text();
  });

  it('challenges on every 401 (WWW-Authenticate)', async () => {
    f = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
    const missing = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Keystone uri="http:\/\/127\.0\.0\.1:\d+\/v3"$/);
    await missing.body.text();
    const malformed = await request(f.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-auth-token': 'a b' }, body: '{}' });
    expect(malformed.statusCode).toBe(401);
    expect(malformed.headers['cache-control']).toBe('no-store');
    expect(malformed.headers['www-authenticate']).toMatch(/^Keystone uri=/);
    await malformed.body.text();
  });

  it('refuses an oversized body on Expect: 100-continue without asking for it', async () => {
    f = await startFacade({});
    const r = await rawExchange(
      portOf(f),
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 300000\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n',
    );
    expect(r.status).toBe(413);
    const small = await rawExchange(
      portOf(f),
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 26\r\nexpect: 100-continue\r\nconnection: close\r\n\r\n{"query":"{ __typename }"}',
    );
    expect(small.status).toBe(100);
    expect(small.body).toContain('200 OK');
  });
});

/** The first `event: next` of an SSE body, then the stream is dropped. */
async function firstEvent(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string> {
  let text = '';
  for await (const chunk of body) {
    text += chunk.toString();
    const at = text.indexOf('event: next');
    if (at >= 0 && text.indexOf('\n\n', at) > 0) break;
  }
  body.destroy();
  return text;
}

describe('idle client connections (KEEP_ALIVE_TIMEOUT_MS)', () => {
  it("stay open as long as configured, so a balancer's longer idle timeout can be matched", async () => {
    f = await startFacade({ KEEP_ALIVE_TIMEOUT_MS: '61000' });
    expect(f.app.server.server.keepAliveTimeout).toBe(61_000);
    const socket = (await import('node:net')).connect(portOf(f), '127.0.0.1');
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((r) => socket.once('data', r));
    // Node's default (5 s) would have closed it by now.
    await new Promise((r) => setTimeout(r, 5_600));
    expect(socket.destroyed || socket.readyState !== 'open').toBe(false);
    socket.destroy();
  });
});
