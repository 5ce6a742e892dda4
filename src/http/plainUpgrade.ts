import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { oncePaid, owesAnswers } from './pipelining.js';

/** Sockets handed back to the HTTP server as plain requests: already counted when they first connected. */
export const servedAgain = new WeakSet<object>();

/**
 * An upgrade pipelined behind requests still being answered is not taken: a second parser on the socket (or a 101)
 * would answer out of turn, and Node asserts (the process died). Those answers go out, then the connection ends;
 * the client sends this request again. True when it was so ended.
 */
export function endedBehindOwedAnswers(socket: Duplex): boolean {
  if (!owesAnswers(socket)) return false;
  socket.pause();
  // Destroyed once our side is written: the parser (and its timeouts) is gone, and a client keeping its half open
  // would hold the socket for good after a plain end().
  oncePaid(socket, () => (socket as Socket).destroySoon());
  return true;
}

/** The upgrade asks for a WebSocket; anything else (curl --http2 offers h2c) is not one this server speaks. */
export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase().split(',').some((p) => p.trim() === 'websocket');
}

const HOP_BY_HOP = new Set(['upgrade', 'http2-settings']);

/**
 * An Upgrade this server does not speak is ignored, as HTTP/1.1 allows: the request is served as a plain one.
 * Node hands every request with an Upgrade header to the 'upgrade' listener once there is one, so the request is
 * written back in front of its socket's unread bytes without that header, and the socket given to the HTTP server
 * again to parse.
 */
export function serveWithoutUpgrade(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === 'connection') {
      const kept = value.split(',').map((t) => t.trim()).filter((t) => t && !HOP_BY_HOP.has(t.toLowerCase()));
      if (kept.length) lines.push(`${name}: ${kept.join(', ')}`);
      continue;
    }
    lines.push(`${name}: ${value}`);
  }
  servedAgain.add(socket);
  socket.unshift(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), head]));
  server.emit('connection', socket);
}
