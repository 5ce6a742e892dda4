// Keystone answering the facade's own token validation (GET /v3/auth/tokens) with a 4xx that is not about the token
// (400, 405, 409, 413, 422 …) made the whole request 502 with the code of Keystone's status: BAD_USER_INPUT for a
// 400, as if the client's request were bad. It is Keystone's failure: 502 UPSTREAM_ERROR naming Keystone, the token
// not blamed (not remembered as refused, asked again next time).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const TOKEN = `member:${DEMO_PROJECT.id}`;
const QUERY = '{ viewer { user { name } } }';

let status = 400;
let asked: string[] = [];
let keystone: Server;
let f: Facade;

beforeAll(async () => {
  // A Keystone that answers every token validation with `status` and its own JSON error body.
  keystone = createServer((req, res) => {
    if (req.url === '/v3/auth/tokens') asked.push(`${req.method} ${req.url}`);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: status, title: 'Bad Request', message: 'Expecting to find identity in auth.' } }));
  });
  await new Promise<void>((r) => keystone.listen(0, '127.0.0.1', () => r()));
  f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3`, SIMULATE: 'cinder', MAX_REFUSED_TOKENS_PER_CLIENT: '1' });
});
afterAll(async () => {
  await f?.close();
  keystone?.closeAllConnections();
  await new Promise<void>((r) => keystone.close(() => r()));
});
beforeEach(() => {
  asked = [];
});

describe("a 4xx from Keystone to the facade's token validation", () => {
  it.each([400, 405, 409, 413, 422])('%i: 502 UPSTREAM_ERROR naming Keystone, not the client’s bad input', async (code) => {
    status = code;
    const r = await f.gql(QUERY, undefined, { token: TOKEN });
    expect(r.status, r.raw).toBe(502);
    expect(r.errors?.[0]?.extensions, r.raw).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { service: 'keystone', status: code } });
    expect(r.errors?.[0]?.message).toMatch(/Keystone/);
    expect(r.errors?.[0]?.message).toContain(`HTTP ${code}`);
  });

  it('is not remembered as a refused token: the next request asks Keystone again', async () => {
    status = 400;
    await f.gql(QUERY, undefined, { token: TOKEN });
    await f.gql(QUERY, undefined, { token: TOKEN });
    expect(asked).toEqual(['GET /v3/auth/tokens', 'GET /v3/auth/tokens']);
  });

  it('counts no refused token against the client: with one refusal a minute allowed, new tokens still reach Keystone', async () => {
    status = 400;
    for (const t of ['a1', 'a2', 'a3']) expect((await f.gql(QUERY, undefined, { token: `${TOKEN}-${t}` })).status).toBe(502);
    expect(asked).toHaveLength(3);
  });
});
