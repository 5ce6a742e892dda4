// Keystone (Zed) sends an application credential token's expires_at without a zone ("2026-12-06T21:26:20"):
// read with Date.parse, that was local time, so on a host east of UTC the token had expired already (its
// subscriptions ended at once, the token was never cached) and west of UTC it outlived itself. It is UTC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const zoneless = (ms: number) => new Date(ms).toISOString().slice(0, 19);

let f: Facade;
let expiresAt: number;
let close: () => Promise<void>;
const timeZone = process.env.TZ;

beforeAll(async () => {
  // East of UTC: a zone-less time read as local is nine hours early.
  process.env.TZ = 'Asia/Tokyo';
  expiresAt = Math.floor((Date.now() + 3_600_000) / 1000) * 1000;
  const server = createServer((req, res) => {
    if (!req.url?.startsWith('/v3/auth/tokens')) return void res.writeHead(404).end();
    const token = { methods: ['application_credential'], user: { id: 'u1', name: 'alice' }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: zoneless(expiresAt), catalog: [] };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  close = () => new Promise<void>((r) => server.close(() => r()));
  f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3` });
});

afterAll(async () => {
  await f.close();
  await close();
  process.env.TZ = timeZone;
});

describe('a Keystone expiry without a zone', () => {
  it('is read as UTC: the token is valid for its hour', async () => {
    const r = await f.gql('{ viewer { expiresAt user { name } } }', undefined, { token: 'app-cred-token' });
    expect(r.errors).toBeUndefined();
    expect(r.data?.viewer).toEqual({ expiresAt: new Date(expiresAt).toISOString(), user: { name: 'alice' } });
  });
});
