// BodyReader over a real loopback server: the size limit, the deadline, the shared memory budget, a drain.
import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Socket, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type BodyLimits, BodyReader, BodyRefused } from '../../src/http/body.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

/** A server that reads each body with `reader` and reports how each read ended. */
async function serve(limits: BodyLimits) {
  const reader = new BodyReader(limits);
  const outcomes: (string | { refused: BodyRefused['reason'] })[] = [];
  let arrived = 0;
  server = createServer((req: IncomingMessage, res) => {
    arrived++;
    reader.read(req).then(
      (body) => {
        outcomes.push(body);
        res.end('ok');
      },
      (err: unknown) => {
        outcomes.push(err instanceof BodyRefused ? { refused: err.reason } : String(err));
        res.destroy();
      },
    );
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server!.address() as AddressInfo).port;
  /** Sends the headers of a `length`-byte body and its first `first` bytes. */
  const start = async (length: number, first: string) => {
    const s = connect(port, '127.0.0.1');
    sockets.push(s);
    s.on('error', () => undefined);
    await new Promise((r) => s.once('connect', r));
    s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n${first}`);
    return s;
  };
  const until = async (done: () => boolean) => {
    for (let i = 0; !done() && i < 200; i++) await new Promise((r) => setTimeout(r, 10));
  };
  return { reader, outcomes, start, until, arrived: () => arrived };
}

describe('BodyReader', () => {
  it('reads a body that arrives in pieces within the deadline', async () => {
    const t = await serve({ maxBytes: 100, timeoutMs: 2_000, budgetBytes: 1_000 });
    const s = await t.start(10, 'hello');
    await new Promise((r) => setTimeout(r, 50));
    s.write('world');
    await t.until(() => t.outcomes.length === 1);
    expect(t.outcomes).toEqual(['helloworld']);
    expect(t.reader.bufferedBytes).toBe(0);
  });

  it('refuses a declared size over the limit at once, and an undeclared (chunked) one when it gets there', async () => {
    const t = await serve({ maxBytes: 10, timeoutMs: 2_000, budgetBytes: 1_000 });
    await t.start(11, '');
    await t.until(() => t.outcomes.length === 1);
    expect(t.outcomes).toEqual([{ refused: 'too-large' }]);
    const c = connect((server!.address() as AddressInfo).port, '127.0.0.1');
    sockets.push(c);
    await new Promise((r) => c.once('connect', r));
    c.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n');
    await t.until(() => t.outcomes.length === 2);
    expect(t.outcomes[1]).toEqual({ refused: 'too-large' });
    expect(t.reader.bufferedBytes).toBe(0);
  });

  it('ends a body that is not complete at the deadline, counted from the headers', async () => {
    const t = await serve({ maxBytes: 100, timeoutMs: 300, budgetBytes: 1_000 });
    const t0 = Date.now();
    const s = await t.start(10, 'a');
    const drip = setInterval(() => s.write('b'), 50);
    await t.until(() => t.outcomes.length === 1);
    clearInterval(drip);
    expect(t.outcomes).toEqual([{ refused: 'timeout' }]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(t.reader.bufferedBytes).toBe(0);
  });

  it('bounds the bytes held by all bodies being read; one-byte senders do not fill it', async () => {
    const t = await serve({ maxBytes: 100, timeoutMs: 5_000, budgetBytes: 60 });
    // Fifty slow senders of one byte each hold 50 bytes: all are still being read.
    for (let i = 0; i < 50; i++) await t.start(100, 'x');
    await t.until(() => t.reader.bufferedBytes === 50);
    expect(t.outcomes).toEqual([]);
    // A body whose bytes would take the total past 60 is refused; the others go on.
    await t.start(100, 'y'.repeat(20));
    await t.until(() => t.outcomes.length === 1);
    expect(t.outcomes).toEqual([{ refused: 'budget' }]);
    expect(t.reader.bufferedBytes).toBe(50);
  });

  it('refuseAll ends every read in progress at once (a drain)', async () => {
    const t = await serve({ maxBytes: 100, timeoutMs: 5_000, budgetBytes: 1_000 });
    for (let i = 0; i < 3; i++) await t.start(10, 'x');
    await t.until(() => t.arrived() === 3 && t.reader.bufferedBytes === 3);
    t.reader.refuseAll('bye');
    await t.until(() => t.outcomes.length === 3);
    expect(t.outcomes).toEqual([{ refused: 'shutdown' }, { refused: 'shutdown' }, { refused: 'shutdown' }]);
    expect(t.reader.bufferedBytes).toBe(0);
  });
});
