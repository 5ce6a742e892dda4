import { FacadeError } from '../errors.js';
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
 * `write`, sent to the existing `kind` `id`: its watchers read the object soon whenever the write may have changed
 * it, i.e. it was carried out (whatever the re-read after it then finds: the object, nothing, or an error) or its
 * outcome is unknown (OUTCOME_UNKNOWN: a timeout, a dropped connection, a proxy's 5xx after the upstream took it).
 * A write refused, before it was sent (input, circuit, bulkhead) or by the upstream, changed nothing: no nudge.
 */
export async function writing<T>(kind: LiveKind, id: string, write: Promise<T>): Promise<T> {
  try {
    const answer = await write;
    objectWritten(kind, id);
    return answer;
  } catch (err) {
    if (err instanceof FacadeError && err.code === 'OUTCOME_UNKNOWN') objectWritten(kind, id);
    throw err;
  }
}
