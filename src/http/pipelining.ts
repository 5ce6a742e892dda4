import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../observability/logger.js';

/**
 * The most answers one connection may be owed at once. A client may pipeline requests; one that sends them and
 * never reads had Node parse a whole 64 KiB read of them (about 1,700 `GET /healthz`) before pausing the socket,
 * each held with its answer until the connection timed out: about 8 MB per connection, a GB from one address.
 * Browsers and HTTP clients pipeline a handful at most.
 */
export const MAX_OWED_ANSWERS = 32;

const owed = new WeakMap<Socket, number>();
/** Who waits for a connection to owe nothing (plainUpgrade.ts). */
const whenPaid = new WeakMap<object, () => void>();

/** Whether answers to earlier requests on this connection are still being made or sent. */
export function owesAnswers(socket: object): boolean {
  return (owed.get(socket as Socket) ?? 0) > 0;
}

/** `then` runs once the connection owes no answer (at once if it owes none). */
export function oncePaid(socket: object, then: () => void): void {
  if (!owesAnswers(socket)) return then();
  whenPaid.set(socket, then);
}

/**
 * Counts the answer `res` owes on its connection until it is finished or the connection closes. False when the
 * connection already owes MAX_OWED_ANSWERS: it is destroyed (the client stopped reading what it asked for), and
 * nothing is to be done for this request.
 */
export function oweAnswer(req: IncomingMessage, res: ServerResponse, log: Logger): boolean {
  const socket = req.socket;
  const now = (owed.get(socket) ?? 0) + 1;
  if (now > MAX_OWED_ANSWERS) {
    if (!socket.destroyed) {
      log.warn({ client: socket.remoteAddress, owedAnswers: now - 1 }, 'connection cut: its client pipelines requests and reads no answer');
      socket.destroy();
    }
    return false;
  }
  owed.set(socket, now);
  let paid = false;
  const pay = () => {
    if (paid) return;
    paid = true;
    const left = (owed.get(socket) ?? 1) - 1;
    if (left > 0) return void owed.set(socket, left);
    owed.delete(socket);
    const then = whenPaid.get(socket);
    whenPaid.delete(socket);
    then?.();
  };
  // Node emits 'close' on a response once it is finished too, or once its connection is gone.
  res.once('close', pay);
  return true;
}
