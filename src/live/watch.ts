import type { WatchedKind } from './objects.js';
import type { LiveEvent } from './poller.js';

export type Watch = (kind: WatchedKind, id: string) => AsyncIterableIterator<LiveEvent>;

// A subscription's context is made by the live hub, which registers how that caller joins a poller; the
// Subscription resolvers find it here, so RequestContext (shared by every query) carries nothing of it.
const watches = new WeakMap<object, Watch>();

export function registerWatch(context: object, watch: Watch): void {
  watches.set(context, watch);
}

/** The source stream of one subscription field; a context not made by the live hub cannot subscribe. */
export function watch(context: object, kind: WatchedKind, id: string): AsyncIterableIterator<LiveEvent> {
  const join = watches.get(context);
  if (!join) throw new Error('Subscriptions are served over SSE and WebSocket only (src/live).');
  return join(kind, id);
}
