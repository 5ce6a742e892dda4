import type { LiveKind } from './transitional.js';

/**
 * Writes made through the facade tell the pollers watching the object (every caller's: each reads with its own
 * token) to read it again soon, instead of at the end of a backoff that may reach SUBSCRIPTION_POLL_MAX_MS. An
 * object nobody watches costs one map lookup.
 */
export interface Nudgeable {
  /** Read soon (the poller keeps its own pace: at most one early read per fast interval). */
  nudge(): void;
}

/** How soon after a write its watchers read the object: after the write's own re-read, well under a backoff. */
export const NUDGE_MS = 250;

const watched = new Map<string, Set<Nudgeable>>();

// UUIDs and job ids are compared as the subscription resolvers keep them: lower-cased.
const keyOf = (kind: LiveKind, id: string) => `${kind}\u0000${id.toLowerCase()}`;

/** A poller of `kind` `id` from now on, until the returned function is called (its stop). */
export function watching(kind: LiveKind, id: string, poller: Nudgeable): () => void {
  const key = keyOf(kind, id);
  let pollers = watched.get(key);
  if (!pollers) watched.set(key, (pollers = new Set()));
  pollers.add(poller);
  return () => {
    pollers.delete(poller);
    if (pollers.size === 0 && watched.get(key) === pollers) watched.delete(key);
  };
}

/** The facade changed (or may have changed) this object upstream: its watchers read it soon. Never throws. */
export function objectWritten(kind: LiveKind, id: string | null | undefined): void {
  if (typeof id !== 'string') return;
  const pollers = watched.get(keyOf(kind, id));
  if (pollers) for (const poller of [...pollers]) poller.nudge();
}

/**
 * `read` that tells the object's watchers once, at its first answer that is the object (its `id` is known only
 * then): wraps the re-read after a Cinder or Manila write, so the subscribers learn of it while the write waits.
 */
export function tellingWatchers<T>(kind: LiveKind, read: () => Promise<T | null>): () => Promise<T | null> {
  let told = false;
  return async () => {
    const value = await read();
    if (!told && value !== null && typeof value === 'object') {
      told = true;
      const { id } = value as { id?: unknown };
      objectWritten(kind, typeof id === 'string' ? id : null);
    }
    return value;
  };
}
