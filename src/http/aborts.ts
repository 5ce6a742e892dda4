import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';

/** What watchAborts learnt of a request's client. */
export interface ClientWatch {
  /** The client or its connection is gone, for the error path: an error caused by the abort is not logged twice. */
  gone(): boolean;
  /**
   * Its connection closed before the answer was complete (an answer written later does not change that): by the
   * client, or by the facade when the shutdown grace period ended; null while it has not.
   */
  closedEarly(): 'client' | 'shutdown' | null;
  /** The answer is a stream the client ends by leaving (an SSE subscription): its close is not an abort. */
  endedByClient(): void;
  /** `listener` runs once when the connection closes before the answer is complete (at once if it has). */
  whenGone(listener: () => void): void;
}

/**
 * A client that goes away before its answer is complete is an everyday event, not a facade failure: one line,
 * without a stack, wherever it happened (reading the body, running the query, writing the answer).
 */
export function watchAborts(req: IncomingMessage, res: ServerResponse, log: Logger, requestId: string, shutdownCut: () => boolean = () => false): ClientWatch {
  const started = performance.now();
  let gone = false;
  let stream = false;
  let cut = false;
  // 'finish', not res.writableFinished: an answer ended after its connection was cut (a drain's) reads as finished.
  let finished = false;
  res.once('finish', () => (finished = true));
  const goneListeners: (() => void)[] = [];
  res.once('close', () => {
    if (finished) return;
    gone = true;
    for (const listener of goneListeners.splice(0)) listener();
    if (stream) return;
    if ((cut = shutdownCut())) {
      const ms = Math.round(performance.now() - started);
      return void log.warn({ requestId, method: req.method, path: req.url?.split('?')[0], durationMs: ms }, 'answer cut: the shutdown grace period ended first');
    }
    const phase = req.complete ? 'before its answer was complete' : 'while sending its request body';
    const ms = Math.round(performance.now() - started);
    log.warn(
      { requestId, method: req.method, path: req.url?.split('?')[0], durationMs: ms },
      `client closed the connection ${phase}: ${req.method} ${req.url?.split('?')[0]} after ${ms} ms`,
    );
  });
  return {
    // Not req.destroyed: a request whose body has been read is destroyed already (autoDestroy), its client still there.
    gone: () => gone || res.destroyed || req.socket.destroyed,
    // Not res.writableFinished: Node sets it when an answer is ended on a connection already closed.
    // The connection may be gone before its 'close' has been emitted: a drain cut it, then the answer was ended.
    closedEarly: () => {
      if (cut) return 'shutdown';
      if (gone) return 'client';
      if (finished || !req.socket.destroyed) return null;
      return shutdownCut() ? 'shutdown' : 'client';
    },
    endedByClient: () => void (stream = true),
    whenGone: (listener) => void (gone ? listener() : goneListeners.push(listener)),
  };
}
