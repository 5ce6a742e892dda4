// Review of 2026-12-08: the exchange took only a GET for a read, so Cinder's read-only POST (list_replication_targets)
// went on after its client had left, against Cutoff.abandon's promise that reads out are cut.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cutoff } from '../../src/upstreams/caller.js';
import { exchangeOnce } from '../../src/upstreams/transport.js';

const server = createServer(() => {}); // never answers
const agent = new Agent();
let origin: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await agent.close();
});

const post = (cutoff: Cutoff, read?: boolean) =>
  exchangeOnce(agent, { origin, path: '/v3/p/groups/g/action' }, 'POST', { 'content-type': 'application/json' }, '{"list_replication_targets":{}}', cutoff, {
    onSent: () => {},
    onHeaders: () => {},
    read,
  });

describe('a client that left', () => {
  it('cuts a POST that only reads', async () => {
    const cutoff = new Cutoff(Date.now() + 5_000, 5_000);
    const out = post(cutoff, true);
    setTimeout(() => cutoff.abandon(), 50);
    await expect(out).rejects.toMatchObject({ name: 'ClientLeft' });
  });

  it('lets a write already out go on (cut here by its deadline)', async () => {
    const cutoff = new Cutoff(Date.now() + 300, 300);
    const out = post(cutoff);
    setTimeout(() => cutoff.abandon(), 50);
    await expect(out).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
