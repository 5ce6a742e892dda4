import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { servedAgain } from './plainUpgrade.js';

/**
 * The connections of the HTTP server that carry no request being answered: those that have not sent one yet (a
 * browser's preconnect, a silent or slow client), and keep-alive ones between requests. Node's
 * `closeIdleConnections()` closes only the latter, so a connection that never completes a request would hold a
 * drain (or `close()`) until the grace period ends. A connection that has sent nothing `silentMs` after it opened
 * is closed: Node's headersTimeout only starts with a request's first byte, so a silent one was held for good.
 */
export class WaitingConnections {
  private readonly waiting = new Set<Socket>();

  constructor(server: Server, silentMs: number) {
    server.on('connection', (socket: Socket) => {
      // A socket handed back after an Upgrade the server does not speak has its listeners already.
      if (servedAgain.has(socket)) return;
      this.waiting.add(socket);
      const silent = setTimeout(() => socket.bytesRead === 0 && socket.destroy(), silentMs).unref();
      socket.once('close', () => {
        clearTimeout(silent);
        this.waiting.delete(socket);
      });
    });
    // Before the server's own handler, which may end the response before a later listener could see it.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      this.waiting.delete(socket);
      res.once('finish', () => {
        if (!socket.destroyed) this.waiting.add(socket);
      });
    });
    // A WebSocket's connection belongs to its subscriptions, which close it themselves (code 1001).
    server.prependListener('upgrade', (req: IncomingMessage) => this.waiting.delete(req.socket));
  }

  /** Closes the connections that have not sent a byte: nothing of theirs is lost. */
  closeSilent(): void {
    for (const socket of this.waiting) if (socket.bytesRead === 0) socket.destroy();
  }

  /** Closes every connection not carrying a request being answered, including one still sending its headers. */
  closeWaiting(): void {
    for (const socket of this.waiting) socket.destroy();
  }
}
