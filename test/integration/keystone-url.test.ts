// KEYSTONE_URL pointing at something that is not Keystone's v3 API (a web server, a router, devstack's /identity
// without /v3): every valid token was refused 401 "expired, revoked or unknown", and remembered as refused. A 404
// without Keystone's JSON error body is the endpoint's fault (UPSTREAM_ERROR), asked again next time.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const TOKEN = `member:${DEMO_PROJECT.id}`;
const QUERY = '{ viewer { user { name } } }';

let notKeystone: Server;
let asked: string[] = [];
let f: Facade;

beforeAll(async () => {
  // What nginx or any web server answers for a path it does not have: a 404 with an HTML body.
  notKeystone = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
  });
  await new Promise<void>((r) => notKeystone.listen(0, '127.0.0.1', () => r()));
  f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(notKeystone.address() as AddressInfo).port}/v3`, SIMULATE: 'cinder' });
});
afterAll(async () => {
  await f?.close();
  await new Promise<void>((r) => notKeystone.close(() => r()));
});

describe('a KEYSTONE_URL that answers 404 without Keystone’s error body', () => {
  it('had its version document asked for at the endpoint itself on start-up', () => {
    expect(asked).toContain('GET /v3');
  });

  it('is an upstream fault (UPSTREAM_ERROR, 502) naming Keystone, not a refused token', async () => {
    asked = [];
    const r = await f.gql(QUERY, undefined, { token: TOKEN });
    expect(r.status, r.raw).toBe(502);
    expect(r.errors?.[0]?.extensions?.code, r.raw).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/Keystone/);
    expect(r.errors?.[0]?.message).toMatch(/KEYSTONE_URL/);
    expect(asked).toEqual(['GET /v3/auth/tokens']);
  });

  it('is not remembered as a refusal: the next request asks again', async () => {
    asked = [];
    await f.gql(QUERY, undefined, { token: TOKEN });
    await f.gql(QUERY, undefined, { token: TOKEN });
    expect(asked).toEqual(['GET /v3/auth/tokens', 'GET /v3/auth/tokens']);
  });
});
