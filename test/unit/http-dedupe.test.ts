import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Caller, Cutoff } from '../../src/upstreams/caller.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';

let server: Server;
let client: HttpClient;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok": true}');
    }, 30);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  client = new HttpClient({ service: 'cinder', endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, agent: createAgent() });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const caller = (): Caller => ({ token: 't', requestId: 'req-1', gets: new Map() });

it('identical GETs in flight at once share one upstream call; later ones go upstream again', async () => {
  hits.length = 0;
  const c = caller();
  const [a, b] = await Promise.all([
    client.as(c, { method: 'GET', path: '/shares/detail', query: { limit: 1000, offset: 0 } }),
    client.as(c, { method: 'GET', path: '/shares/detail', query: { limit: 1000, offset: 0 } }),
  ]);
  expect(a.json).toEqual({ ok: true });
  expect(b).toBe(a);
  expect(hits).toEqual(['GET /shares/detail?limit=1000&offset=0']);
  await client.as(c, { method: 'GET', path: '/shares/detail', query: { limit: 1000, offset: 0 } });
  expect(hits).toHaveLength(2);
});

it('never shares between two requests, and never shares a write', async () => {
  hits.length = 0;
  await Promise.all([
    client.as(caller(), { method: 'GET', path: '/x' }),
    client.as(caller(), { method: 'GET', path: '/x' }),
  ]);
  const c = caller();
  await Promise.all([
    client.as(c, { method: 'POST', path: '/x/action', body: { a: 1 } }),
    client.as(c, { method: 'POST', path: '/x/action', body: { a: 1 } }),
  ]);
  expect(hits).toEqual(['GET /x', 'GET /x', 'POST /x/action', 'POST /x/action']);
});

it('the many calls of one request share its cutoff without a warning', async () => {
  hits.length = 0;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const deadline = Date.now() + 5_000;
    const c: Caller = { ...caller(), deadline, cutoff: new Cutoff(deadline) };
    await Promise.all(Array.from({ length: 40 }, (_, i) => client.as(c, { method: 'GET', path: `/volumes/detail`, query: { group_id: `g${i}` } })));
    await new Promise((r) => setImmediate(r));
    expect(hits).toHaveLength(40);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  } finally {
    process.off('warning', onWarning);
  }
});

it('the request\'s cutoff aborts calls still in flight when the request runs out of time', async () => {
  const deadline = Date.now() + 10;
  const c: Caller = { ...caller(), deadline, cutoff: new Cutoff(deadline) };
  await expect(client.as(c, { method: 'GET', path: '/slow-anyway' })).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
});
