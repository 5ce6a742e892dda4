// An upstream answer read after its request's deadline (the event loop was busy parsing other large answers): a
// read is not parsed any more, as it serves nothing and a large body holds up every other request; a write's
// answer always is (probe of 2026-12-07: 16 bodies of 31 MB parsed one after the other ran answers to 1.5x the
// deadline).
import { createServer } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';
import { Bulkhead } from '../../src/upstreams/resilience.js';

/** A server whose answers leave as the clock jumps past every deadline (Date.now only: timers run as usual). */
async function lateServer() {
  const realNow = Date.now.bind(Date);
  let late = false;
  vi.spyOn(Date, 'now').mockImplementation(() => (late ? realNow() + 60_000 : realNow()));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      late = true;
      res.setHeader('content-type', 'application/json');
      res.end('{"group":{"id":"g"}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const client = new HttpClient({ service: 'cinder', endpoint: `http://127.0.0.1:${port}`, agent: createAgent(), bulkhead: new Bulkhead(4, 4) });
  return { client, realNow, onTime: () => (late = false), close: () => server.close() };
}

describe('an answer read after the deadline', () => {
  afterEach(() => vi.restoreAllMocks());

  it('of a read: UPSTREAM_TIMEOUT, its body not parsed, and the breaker not charged', async () => {
    const { client, realNow, onTime, close } = await lateServer();
    // Enough failures from enough callers to open it, were they the upstream's.
    for (let i = 0; i < 12; i++) {
      onTime();
      const read = { method: 'GET' as const, path: '/groups/g', deadline: realNow() + 5_000, identity: `caller-${i % 3}` };
      const err = await client.send(read).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UpstreamError);
      expect((err as UpstreamError).code).toBe('UPSTREAM_TIMEOUT');
      expect((err as UpstreamError).message).toMatch(/deadline passed before Cinder's answer could be read/);
    }
    close();
    expect(client.breaker.state).toBe('closed');
  });

  it('of a write: read as usual', async () => {
    const { client, close } = await lateServer();
    const res = await client.send({ method: 'POST', path: '/groups', body: {}, deadline: Date.now() + 5_000 });
    close();
    expect(res.json).toEqual({ group: { id: 'g' } });
  });
});
