// A token whose catalog lacks a service (SDRS is in no plain OpenStack catalog) had its "not in the catalog" error
// made once and kept with the cached identity: an Error keeps the frames of the stack it was made on, and with them
// the token's first request (its IncomingMessage, response and trace) for as long as the token stayed cached:
// about 12 KB a token, 160 MB over 10,000 cached tokens (noisy-neighbour probe of 2026-12-07).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { gc } from '../helpers/gc.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const TOKENS = 300;
/** A header as large as a real client's cookies: what a retained request holds, and what the test looks for. */
const PADDING = 'p'.repeat(16_000);

describe('a cached token whose catalog lacks a service', () => {
  let keystone: ReturnType<typeof createServer>;
  let f: Facade;
  beforeAll(async () => {
    keystone = createServer((req, res) => {
      // Cinder only: Manila and SDRS are missing from every token's catalog.
      const catalog = [{ type: 'volumev3', name: 'cinderv3', id: 'v3', endpoints: [{ id: 'e', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: `http://127.0.0.1:9/v3/${PROJECT}` }] }];
      const token = { user: { id: 'u1', name: 'alice' }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + 3_600_000).toISOString(), catalog };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    });
    await new Promise<void>((r) => keystone.listen(0, '127.0.0.1', () => r()));
    f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3` });
  });
  afterAll(async () => {
    await f.close();
    await new Promise<void>((r) => keystone.close(() => r()));
  });

  it('keeps no request alive with it: the heap does not grow with each new token', async () => {
    const ask = async (token: string) => {
      const res = await request(f.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': token, 'x-padding': PADDING },
        body: JSON.stringify({ query: '{ viewer { services { name endpoint } } protectionGroups(first: 1) { totalCount } }' }),
      });
      const body = (await res.body.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    };
    for (let i = 0; i < 20; i++) await ask(`warm-${i}`);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < TOKENS; i++) await ask(`token-${i}`);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 300 requests of 16 KB kept would be 4.8 MB and more; the cached identities themselves are a few hundred KB.
    expect(grown).toBeLessThan(2 * 2 ** 20);
  });
});
