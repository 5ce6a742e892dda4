// A Keystone whose token answers carry a catalog of 5,000 extra services (~1.2 MB of JSON): every validated token
// kept the whole catalog in the token cache, the heap grew ~1.4 MB a new token, and the facade died of out-of-memory
// after ~3,000 tokens (probe of 2026-12-07). A cached identity now keeps the endpoints the facade calls, and a token
// answer larger than 4 MiB is refused.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../src/identity/keystone.js';
import { newCaller } from '../../src/context.js';
import { type Facade, startFacade } from '../helpers/facade.js';
import { gc } from '../helpers/gc.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const EXTRA_SERVICES = 5_000;

const endpoint = (iface: string, region: string, url: string) => ({ id: `${iface}-${region}`, interface: iface, region, region_id: region, url });

/** What the facade calls, each in two interfaces, one of them in two regions; then thousands it never calls. */
function bigCatalog(padding = 0): unknown[] {
  const extras = Array.from({ length: EXTRA_SERVICES }, (_, i) => ({
    type: `extra-service-${i}`,
    name: `extra${i}`,
    id: `svc-${i}`,
    endpoints: [endpoint('public', 'RegionOne', `http://extra-${i}.cloud.example.com:8000/v1/${PROJECT}${'x'.repeat(padding)}`)],
  }));
  return [
    ...extras.slice(0, 10),
    { type: 'volume', name: 'cinder', id: 'v1', endpoints: [endpoint('public', 'RegionOne', `http://old.example.com/v1/${PROJECT}`)] },
    { type: 'volumev3', name: 'cinderv3', id: 'v3', endpoints: [endpoint('internal', 'RegionOne', `http://cinder-int.example.com/v3/${PROJECT}`), endpoint('public', 'RegionOne', `http://cinder.example.com/v3/${PROJECT}`)] },
    {
      type: 'sharev2',
      name: 'manilav2',
      id: 'm2',
      endpoints: [endpoint('public', 'RegionOne', `http://manila-1.example.com/v2/${PROJECT}`), endpoint('public', 'RegionTwo', `http://manila-2.example.com/v2/${PROJECT}`)],
    },
    { type: 'sdrs', name: 'sdrs', id: 's1', endpoints: [endpoint('public', 'RegionOne', `http://sdrs.example.com/v1/${PROJECT}`)] },
    ...extras.slice(10),
  ];
}

/** A Keystone that accepts any token as a member of PROJECT, every answer with `catalog`; `chunked`: no length. */
async function keystoneWith(catalog: unknown[], chunked = false): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/v3/auth/tokens')) return void res.writeHead(404).end();
    const token = { user: { id: 'u1', name: 'alice' }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog };
    const body = JSON.stringify({ token });
    res.writeHead(200, { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': Buffer.byteLength(body) }) });
    if (chunked) res.write(body.slice(0, 1_000));
    res.end(chunked ? body.slice(1_000) : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3`;
  return { url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const VIEWER = '{ viewer { user { name } services { name endpoint } } }';

describe('a Keystone whose catalogs list thousands of services', () => {
  let keystone: Awaited<ReturnType<typeof keystoneWith>>;
  let f: Facade;
  beforeAll(async () => {
    keystone = await keystoneWith(bigCatalog());
    f = await startFacade({ KEYSTONE_URL: keystone.url, KEYSTONE_REGION: 'RegionTwo' });
  });
  afterAll(async () => {
    await f.close();
    await keystone.close();
  });

  it('a cached identity keeps only the endpoints the facade calls; the endpoints chosen are the same', async () => {
    const r = await f.ok<any>(VIEWER, undefined, { token: 'token-one' });
    expect(r.viewer.services).toEqual([
      { name: 'cinder', endpoint: null },
      { name: 'manila', endpoint: `http://manila-2.example.com/v2/${PROJECT}` },
      { name: 'sdrs', endpoint: null },
    ]);
    const cached = (await f.app.identity.admission!.gate.keystone.identify('token-one', newCaller('token-one', 1_000))) as Identity;
    expect(cached.catalog.map((c) => c.type)).toEqual(['volumev3', 'sharev2', 'sdrs']);
    expect(cached.catalog.flatMap((c) => c.endpoints.map((e) => e.url))).toEqual([
      `http://cinder.example.com/v3/${PROJECT}`,
      `http://manila-1.example.com/v2/${PROJECT}`,
      `http://manila-2.example.com/v2/${PROJECT}`,
      `http://sdrs.example.com/v1/${PROJECT}`,
    ]);
    // Cinder has no public endpoint in RegionTwo: the answer names the regions it has, as before.
    const groups = await f.gql('{ groups(first: 1) { nodes { id } } }', undefined, { token: 'token-one' });
    expect(groups.errors?.[0]?.message).toMatch(/no public endpoint in region RegionTwo \(it has: RegionOne\)/);
  });

  it('80 new tokens grow the heap by under 16 MB (it grew by ~1.4 MB a token)', async () => {
    await f.ok(VIEWER, undefined, { token: 'warm-up' });
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 0; n < 80; n++) await f.ok(VIEWER, undefined, { token: `token-${n}` });
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(16 * 2 ** 20);
    expect(f.app.identity.admission!.gate.keystone.cache.size).toBeGreaterThanOrEqual(80);
  }, 120_000);
});

describe.each([
  ['declared in its content-length', false],
  ['sent chunked, without a length', true],
])('a token answer larger than 4 MiB, %s', (_how, chunked) => {
  let keystone: Awaited<ReturnType<typeof keystoneWith>>;
  let f: Facade;
  beforeAll(async () => {
    // ~5.5 MB: each extra endpoint URL padded by 800 characters.
    keystone = await keystoneWith(bigCatalog(800), chunked);
    f = await startFacade({ KEYSTONE_URL: keystone.url });
  });
  afterAll(async () => {
    await f.close();
    await keystone.close();
  });

  it('is refused, UPSTREAM_ERROR naming the limit, and nothing is cached', async () => {
    const r = await f.gql(VIEWER, undefined, { token: 'huge-token' });
    expect(r.status).toBe(502);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toBe(`Keystone answered with more than ${4 * 2 ** 20} bytes; refused.`);
    expect(f.app.identity.admission!.gate.keystone.cache.size).toBe(0);
  });
});

describe('with KEYSTONE_CACHE_SECONDS=1', () => {
  let keystone: Awaited<ReturnType<typeof keystoneWith>>;
  let f: Facade;
  beforeAll(async () => {
    keystone = await keystoneWith(bigCatalog().slice(0, 14));
    f = await startFacade({ KEYSTONE_URL: keystone.url, KEYSTONE_CACHE_SECONDS: '1' });
  });
  afterAll(async () => {
    await f.close();
    await keystone.close();
  });

  it('the cache holds the live tokens, not every token seen (it held all 60; the heap grew to ~155 MB)', async () => {
    for (let n = 0; n < 50; n++) await f.ok(VIEWER, undefined, { token: `first-${n}` });
    const cache = f.app.identity.admission!.gate.keystone.cache;
    expect(cache.size).toBe(50);
    await new Promise((r) => setTimeout(r, 1_100));
    for (let n = 0; n < 10; n++) await f.ok(VIEWER, undefined, { token: `second-${n}` });
    expect(cache.size).toBe(10);
  });
});
