import type { ServerResponse } from 'node:http';

/**
 * A client that stops reading its answer (nginx's send_timeout): once the answer is handed to the connection,
 * if part of it still waits to go out and the connection makes no progress for `ms`, it is cut (`onCut` says
 * so first). Else a client that never reads a large answer holds its request's slot (MAX_IN_FLIGHT) and the
 * answer's memory for good. Armed only when the kernel did not take the whole answer at once: a screen's
 * answer arms nothing.
 */
export function cutIfStalled(res: ServerResponse, ms: number, onCut: () => void): void {
  const socket = res.socket;
  if (!socket) {
    // A pipelined answer waits behind the one before it: it gets the connection (and is watched) once that one is
    // out; Node hands it over and then flushes it, so look after the flush.
    if (!res.destroyed) res.once('socket', () => setImmediate(() => cutIfStalled(res, ms, onCut)));
    return;
  }
  if (socket.writableLength === 0) return;
  // Before the HTTP server's own listener, which destroys the connection (and with it the sign that the answer
  // was not finished). A later keep-alive timeout finds the answer finished and leaves it to the server.
  socket.prependOnceListener('timeout', () => {
    if (res.writableFinished) return;
    onCut();
    socket.destroy();
  });
  // An inactivity timeout: a slow reader that keeps taking bytes is not cut.
  socket.setTimeout(ms);
}

/**
 * One part of a stream that has no end (an event stream): written at once while the connection takes it; when it
 * is full, the next part waits until it drains. A client that has not taken what was written within `ms` is cut
 * (`onCut` says so first) and false returned: without this, a subscriber that stopped reading stays connected
 * while every event and keep-alive is buffered for it, with no bound.
 */
export function writeOrCut(res: ServerResponse, chunk: string, ms: number, onCut: () => void): Promise<boolean> | boolean {
  // Gone already (Node 20 keeps `writable` true on a destroyed response): no drain or close will come to wait for.
  if (res.destroyed || res.writableEnded) return false;
  if (res.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('drain', drained);
      res.off('close', closed);
      resolve(ok);
    };
    const drained = () => done(true);
    const closed = () => done(false);
    const timer = setTimeout(() => {
      done(false);
      onCut();
      res.destroy();
    }, ms);
    res.once('drain', drained);
    res.once('close', closed);
  });
}
