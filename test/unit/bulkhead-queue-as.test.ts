// Review of 2026-12-07: the bulkhead's turns went by token hash, so one address sending a new made-up token per
// request was a caller per token there (though the door counts such tokens against the address): each got a turn,
// and each newcomer evicted a real caller's waiting call. Calls of tokens no upstream has accepted yet now queue as
// their address.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import type { Caller } from '../../src/upstreams/caller.js';
import { Bulkhead } from '../../src/upstreams/bulkhead.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';

const held: (() => void)[] = [];
const server = createServer((_req, res) => held.push(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
let origin = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const caller = (identity: string, unverified = false): Caller => ({
  token: identity,
  requestId: 'req-1',
  identity,
  addressIdentity: 'address:192.0.2.7',
  ...(unverified ? { tokenAnswered: () => undefined } : {}),
});

describe("a bulkhead's turns and made-up tokens", () => {
  it('calls of tokens no upstream accepted yet queue as their address: one share, not one per token', async () => {
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent(), bulkhead: new Bulkhead(1, 8) });
    const outcome = (c: Caller) =>
      client.as(c, { method: 'GET', path: '/groups' }).then(
        () => 'served',
        (e: UpstreamError) => e.upstreamCode ?? e.code,
      );
    const first = outcome(caller('token:real'));
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    const real = Array.from({ length: 8 }, () => outcome(caller('token:real')));
    const madeUp = Array.from({ length: 7 }, (_, i) => outcome(caller(`token:fake${i}`, true)));
    await new Promise((r) => setTimeout(r, 20));
    // Served one at a time until everyone has had an answer.
    const all = [first, ...real, ...madeUp];
    let settled = 0;
    void Promise.all(all.map((p) => p.then(() => settled++)));
    while (settled < all.length) {
      if (held.length > 0) held.shift()!();
      await new Promise((r) => setTimeout(r, 5));
    }
    const realServed = (await Promise.all(real)).filter((o) => o === 'served').length;
    // Split evenly with the address (4 and 4), not 1 of 8 left to the real caller.
    expect(realServed).toBeGreaterThanOrEqual(4);
    expect((await Promise.all(madeUp)).filter((o) => o === 'served').length).toBeLessThanOrEqual(4);
  });
});
