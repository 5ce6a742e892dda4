// Byzantine-upstream probe of 2026-12-08: each call was bounded by its own maxBytes (32 MiB), but nothing bounded
// them together: 50 such answers to one request, six requests at once, took the facade to 2.6 GB.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bytesBeingRead, exchangeOnce, readingLimit, MAX_READING_BYTES } from '../../src/upstreams/transport.js';
import { networkError } from '../../src/upstreams/upstreamErrors.js';

const MiB = 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 'x');
// Sends `n` MiB slowly enough that several answers are being read at once.
const server = createServer((req, res) => {
  const mib = Number(new URL(req.url!, 'http://x').searchParams.get('mib'));
  res.writeHead(200, { 'content-type': 'application/json' });
  let left = mib * 16;
  const timer = setInterval(() => {
    if (left-- <= 0 || res.destroyed) return void (clearInterval(timer), res.end());
    res.write(chunk);
  }, 2);
});
const agent = new Agent();
let origin: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  readingLimit.bytes = MAX_READING_BYTES;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await agent.close();
});

const get = (mib: number) => exchangeOnce(agent, { origin, path: `/?mib=${mib}` }, 'GET', {}, undefined, undefined, { onSent: () => {}, onHeaders: () => {} });

const post = (mib: number) => exchangeOnce(agent, { origin, path: `/?mib=${mib}` }, 'POST', {}, '{}', undefined, { onSent: () => {}, onHeaders: () => {}, read: false });

describe('upstream answers read at once', () => {
  // Review of 2026-12-08: a write's answer cut there made a change that happened OUTCOME_UNKNOWN.
  it("never cut a write's answer", async () => {
    readingLimit.bytes = 6 * MiB;
    const results = await Promise.allSettled([post(4), post(4), post(4)]);
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(bytesBeingRead()).toBe(0);
  });

  it('are cut past the process-wide limit, each alone still read whole, and the count returns to zero', async () => {
    readingLimit.bytes = 6 * MiB;
    const results = await Promise.allSettled([get(4), get(4), get(4)]);
    const cut = results.filter((r) => r.status === 'rejected');
    expect(cut.length).toBeGreaterThan(0);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const err = networkError('cinder', (cut[0] as PromiseRejectedResult).reason);
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', message: expect.stringMatching(/already reading 6291456 bytes of upstream answers at once/) });
    expect(bytesBeingRead()).toBe(0);
    const alone = await get(4);
    expect(alone.text.length).toBe(4 * MiB);
    expect(bytesBeingRead()).toBe(0);
  });
});
