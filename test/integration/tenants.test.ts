// Two tenants through one facade: no answer is ever served to the wrong token, and a token never leaks into
// responses or logs, errors included. The upstream here is a tiny Cinder look-alike whose answers depend on
// the token, so a mix-up would show.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const ID = '11111111-2222-4333-8444-555555555555';
let upstream: Server;
let f: Facade;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const token = String(req.headers['x-auth-token'] ?? '');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = req.url ?? '';
    if (url === '/') return json(300, { versions: [{ id: 'v3.0', status: 'CURRENT', version: '3.70', min_version: '3.0' }] });
    if (url.startsWith(`/v3/${PROJECT}/groups/${ID}`)) {
      // Small random delay so concurrent requests interleave.
      return setTimeout(() => json(200, { group: { id: ID, name: `owned-by-${token}`, status: 'available', group_type: 'gt', volume_types: [] } }), Math.random() * 5);
    }
    if (url.startsWith(`/v3/${PROJECT}/groups/detail`)) {
      return json(401, { unauthorized: { code: 401, message: `Token ${token} is expired or invalid` } });
    }
    if (url.startsWith(`/v3/${PROJECT}/group_types`)) {
      res.writeHead(500, { 'content-type': 'text/html' });
      return res.end(`<html><body>Internal error for ${token}</body></html>`);
    }
    json(404, { itemNotFound: { code: 404, message: `nothing for ${token}` } });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const port = (upstream.address() as AddressInfo).port;
  // 100 requests in progress per token at once: what is tested is isolation, not MAX_IN_FLIGHT_PER_CALLER.
  f = await startFacade({ CINDER_URL: `http://127.0.0.1:${port}/v3/${PROJECT}`, MAX_IN_FLIGHT_PER_CALLER: '0' });
});

afterAll(async () => {
  await f.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('tenants', () => {
  it('thousands of concurrent requests for the same id under two tokens: zero answers cross over', async () => {
    const query = `{ group(id: "${ID}") { name } }`;
    let crossed = 0;
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => {
          const token = i % 2 === 0 ? 'tenant-alpha' : 'tenant-beta';
          return f.gql<any>(query, undefined, { token }).then((r) => ({ token, name: r.data?.group?.name }));
        }),
      );
      crossed += results.filter((r) => r.name !== `owned-by-${r.token}`).length;
    }
    expect(crossed).toBe(0);
  });

  it('a canary token appears nowhere in responses or logs, even when the upstream echoes it in errors', async () => {
    const canary = 'canary-7f3a9e1b';
    const logged: string[] = [];
    const capture = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    const spies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(capture));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => (logged.push(String(chunk)), true));
    try {
      const bodies = await Promise.all([
        f.gql(`{ group(id: "${ID}") { id groupType { name } } }`, undefined, { token: canary }),
        f.gql('{ groups { nodes { id } } }', undefined, { token: canary }),
        f.gql('{ groupTypes { id } }', undefined, { token: canary }),
        f.gql('{ volume(id: "33333333-2222-4333-8444-555555555555") { id } }', undefined, { token: canary }),
        f.gql('{ group(id: "../x") { id } }', undefined, { token: canary }),
        f.gql('{ nope }', undefined, { token: canary }),
      ]);
      const errors = bodies.flatMap((b) => b.errors ?? []);
      expect(errors.length).toBeGreaterThanOrEqual(4);
      expect(errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')).toBe(true);
      for (const b of bodies) expect(b.raw).not.toContain(canary);
      expect(bodies[0]!.data?.group.id).toBe(ID);
    } finally {
      spies.forEach((s) => s.mockRestore());
      stdout.mockRestore();
    }
    expect(logged.join('\n')).not.toContain(canary);
  });
});
