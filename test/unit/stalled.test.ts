// cutIfStalled: an answer a client does not read is cut after the inactivity timeout. A pipelined answer waiting
// behind a slower one had no connection yet when it was written, so nothing watched it and it held its memory
// (and the request's slot) for good.
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cutIfStalled } from '../../src/http/stalled.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

describe('cutIfStalled', () => {
  it('watches a pipelined answer once it gets the connection, and cuts it when the client does not read', async () => {
    const cut: string[] = [];
    const server = createServer((req, res) => {
      const big = req.url === '/big';
      const send = () => {
        res.end(big ? Buffer.alloc(16 * 1024 * 1024, 'x') : 'small');
        cutIfStalled(res, 500, () => cut.push(req.url!));
      };
      // The first (small) answer comes late: the second is written while it has no connection yet.
      if (big) send();
      else setTimeout(send, 200);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /small HTTP/1.1\r\nhost: x\r\n\r\nGET /big HTTP/1.1\r\nhost: x\r\n\r\n');
    socket.pause();
    await new Promise((r) => setTimeout(r, 2_000));
    expect(cut).toEqual(['/big']);
    socket.destroy();
  });
});
