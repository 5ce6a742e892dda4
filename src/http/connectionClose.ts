import type { Socket } from 'node:net';

const waiting = new WeakMap<Socket, Set<() => void>>();

/**
 * Calls `fn` when `socket` closes, unless the returned function is called first. One listener per connection
 * however many requests are pipelined on it (a listener each would warn of a leak past ten).
 */
export function whenConnectionCloses(socket: Socket, fn: () => void): () => void {
  let fns = waiting.get(socket);
  if (!fns) {
    const set = new Set<() => void>();
    fns = set;
    waiting.set(socket, set);
    socket.once('close', () => {
      waiting.delete(socket);
      for (const f of set) f();
    });
  }
  fns.add(fn);
  return () => void fns.delete(fn);
}
