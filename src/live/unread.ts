import type { WebSocket } from 'ws';

/** The most a WebSocket client may leave unread in the facade's memory (ws's own buffer) before it is cut. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
/**
 * The most messages to one WebSocket client that may wait unread before it is cut, however small: each costs
 * 1.2-1.9 KB of heap while it waits (its frame, its write request, and graphql-ws's handler awaiting it), so 4 MiB
 * of 17-byte pongs held 290-475 MB for one connection.
 */
export const MAX_UNREAD_MESSAGES = 1_000;
/** Past this many messages waiting to go out, the client's own messages wait unread too (backpressure). */
export const READ_PAUSE_MESSAGES = 64;

type SendDone = (err?: Error) => void;

/** What waits to go out to one WebSocket client, for its inbox to read no more while it is full. */
export interface UnreadOutput {
  /** READ_PAUSE_MESSAGES or more messages wait to go out. */
  readonly full: boolean;
  /** Calls `fn` once half of them have gone out (at once if it is not full). */
  onceDrained(fn: () => void): void;
}

export interface UnreadCut {
  bytes: number;
  messages: number;
}

/**
 * A client that stops reading while it keeps sending (graphql-ws pings, each answered with a pong) or while its
 * subscriptions keep changing: every message to it waits in memory, and one client could grow the process until
 * it ran out. Past `limit` unread bytes or `maxMessages` unread messages its connection is dropped at once (a close
 * frame would wait behind the rest), `onCut` saying so first. What was waiting, and what graphql-ws still answers
 * to messages read before, then goes nowhere quietly, instead of an "Internal error" line on stderr for each.
 * A message counts from its send until ws has handed it to the kernel.
 */
export function watchUnread(ws: WebSocket, onCut: (unread: UnreadCut) => void, limit = MAX_UNREAD_BYTES, maxMessages = MAX_UNREAD_MESSAGES): UnreadOutput {
  let cut = false;
  let waiting = 0;
  let drained: (() => void)[] = [];
  // A send's callback comes a tick after ws has handed it to the kernel: with nothing in ws's buffer none waits.
  const unread = () => (ws.bufferedAmount === 0 ? 0 : waiting);
  const check = () => {
    if (cut || (ws.bufferedAmount <= limit && unread() <= maxMessages) || ws.readyState !== ws.OPEN) return;
    cut = true;
    onCut({ bytes: ws.bufferedAmount, messages: unread() });
    drained = [];
    ws.terminate();
  };
  const sent = () => {
    waiting--;
    if (unread() > READ_PAUSE_MESSAGES / 2 || drained.length === 0) return;
    const wake = drained;
    drained = [];
    for (const fn of wake) fn();
  };
  ws.on('message', check);
  const send = ws.send.bind(ws) as (data: unknown, options: object, done?: SendDone) => void;
  ws.send = ((data: unknown, optionsOrDone?: object | SendDone, maybeDone?: SendDone) => {
    const done = typeof optionsOrDone === 'function' ? optionsOrDone : maybeDone;
    const options = typeof optionsOrDone === 'object' ? optionsOrDone : {};
    if (cut) return done?.();
    waiting++;
    send(data, options, (err) => {
      sent();
      done?.(cut ? undefined : err);
    });
    check();
  }) as WebSocket['send'];
  return {
    get full() {
      return unread() >= READ_PAUSE_MESSAGES;
    },
    onceDrained(fn) {
      if (unread() > READ_PAUSE_MESSAGES / 2) drained.push(fn);
      else fn();
    },
  };
}
