import type { WebSocket } from 'ws';

/** The most a WebSocket client may leave unread in the facade's memory (ws's own buffer) before it is cut. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

type SendDone = (err?: Error) => void;

/**
 * A client that stops reading while it keeps sending (graphql-ws pings, each answered with a pong) or while its
 * subscriptions keep changing: every message to it waits in memory, and one client could grow the process until
 * it ran out. Past `limit` unread bytes its connection is dropped at once (a close frame would wait behind the
 * rest), `onCut` saying so first. What was waiting, and what graphql-ws still answers to messages read before,
 * then goes nowhere quietly, instead of an "Internal error" line on stderr for each.
 */
export function cutWhenUnread(ws: WebSocket, limit: number, onCut: (unread: number) => void): void {
  let cut = false;
  const check = () => {
    if (cut || ws.bufferedAmount <= limit || ws.readyState !== ws.OPEN) return;
    cut = true;
    onCut(ws.bufferedAmount);
    ws.terminate();
  };
  ws.on('message', check);
  const send = ws.send.bind(ws) as (data: unknown, options: object, done?: SendDone) => void;
  ws.send = ((data: unknown, optionsOrDone?: object | SendDone, maybeDone?: SendDone) => {
    const done = typeof optionsOrDone === 'function' ? optionsOrDone : maybeDone;
    const options = typeof optionsOrDone === 'object' ? optionsOrDone : {};
    if (cut) return done?.();
    send(data, options, (err) => done?.(cut ? undefined : err));
    check();
  }) as WebSocket['send'];
}
