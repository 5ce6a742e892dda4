// A WebSocket client that sends graphql-ws pings and never reads the pongs (a probe's): each pong waiting for it
// cost the facade 1.2-1.9 KB of heap, 290-475 MB for one connection before the 4 MiB cut, and four such connections
// ran a 1 GB heap out in 20 s. The facade now stops reading such a client while its answers wait (backpressure).
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { gc } from '../helpers/gc.js';
import { sleep } from '../helpers/live.js';

let f: Facade | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await f?.close();
  f = undefined;
});

/** A client's text frame, masked with a zero key (so the payload goes as it is). */
function frame(text: string): Buffer {
  const payload = Buffer.from(text);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

/**
 * A graphql-transport-ws connection spoken over a plain TCP socket, acknowledged: the pings are written as one
 * buffer again and again, so the client side holds nothing per ping and the heap measured is the facade's.
 */
async function acknowledged(facade: Facade): Promise<{ socket: Socket; received: () => number }> {
  const { port } = new URL(facade.app.server.url);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => {});
  let bytes = Buffer.alloc(0);
  let received = 0;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (bytes.length < 4096) bytes = Buffer.concat([bytes, chunk]);
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    'GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
  );
  for (let i = 0; i < 250 && !bytes.includes('\r\n\r\n'); i++) await sleep(20);
  expect(bytes.toString().split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols');
  const handshake = bytes.indexOf('\r\n\r\n') + 4;
  socket.write(frame(JSON.stringify({ type: 'connection_init', payload: {} })));
  for (let i = 0; i < 250 && !bytes.includes('connection_ack'); i++) await sleep(20);
  expect(bytes.subarray(handshake).toString()).toContain('"type":"connection_ack"');
  const before = received;
  return { socket, received: () => received - before };
}

const PING = frame('{"type":"ping"}');
/** The answer to each: a 2-byte header and {"type":"pong"}. */
const PONG_BYTES = 2 + '{"type":"pong"}'.length;

describe('a WebSocket client that pings without reading the pongs', () => {
  it('holds a few MB of the facade at most while it floods, and is answered in full once it reads again', async () => {
    f = await startFacade({});
    const { socket, received } = await acknowledged(f);
    socket.pause();
    const pings = Buffer.concat(Array.from({ length: 3_000 }, () => PING));
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const sample = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }, 200);
    // Pings as fast as the facade takes them, for 4 s at most (before: it took ~200,000 a second and answered each).
    let sent = 0;
    let stalled = false;
    const until = Date.now() + 4_000;
    try {
      while (Date.now() < until && !socket.destroyed && sent < 1_500_000) {
        sent += 3_000;
        if (socket.write(pings)) continue;
        const drained = await Promise.race([new Promise((resolve) => socket.once('drain', () => resolve(true))), sleep(1_500).then(() => false)]);
        if (!drained) {
          stalled = true;
          await sleep(500); // what the facade had read is answered (or held) by now
          break;
        }
      }
    } finally {
      clearInterval(sample);
    }
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    // Before: 150-450 MB, then the 4 MiB cut.
    expect(peak / 2 ** 20, `${sent} pings sent`).toBeLessThan(24);
    expect(stalled, 'the facade read every ping at once').toBe(true);
    expect(socket.destroyed).toBe(false);
    // Reading again, the client gets a pong for each ping it sent: nothing was dropped.
    socket.resume();
    const all = sent * PONG_BYTES;
    for (const end = Date.now() + 15_000; received() < all && Date.now() < end; ) await sleep(50);
    expect(received()).toBe(all);
  });
});
