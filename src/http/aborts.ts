import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';

/**
 * A client that goes away before its answer is complete is an everyday event, not a facade failure: one line,
 * without a stack, wherever it happened (reading the body, running the query, writing the answer). Returns
 * whether the client is gone, for the error path: an error caused by the abort is not logged a second time.
 */
export function watchAborts(req: IncomingMessage, res: ServerResponse, log: Logger, requestId: string): () => boolean {
  const started = performance.now();
  let gone = false;
  res.once('close', () => {
    if (res.writableFinished) return;
    gone = true;
    const phase = req.complete ? 'before its answer was complete' : 'while sending its request body';
    const ms = Math.round(performance.now() - started);
    log.warn(
      { requestId, method: req.method, path: req.url?.split('?')[0], durationMs: ms },
      `client closed the connection ${phase}: ${req.method} ${req.url?.split('?')[0]} after ${ms} ms`,
    );
  });
  // Not req.destroyed: a request whose body has been read is destroyed already (autoDestroy), its client still there.
  return () => gone || res.destroyed || req.socket.destroyed;
}
