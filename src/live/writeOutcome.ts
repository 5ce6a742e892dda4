import { FacadeError, UpstreamError } from '../errors.js';
import { waitMillis } from '../resolvers/sdrs/wait.js';
import type { Caller } from '../upstreams/caller.js';
import { waitUntilSettled } from './settle.js';
import { type LiveKind, type StatusBearing, hasSettled } from './transitional.js';

/** Time kept after the wait to build and send the answer inside the request deadline (as SDRS's job wait does). */
const ANSWER_RESERVE_MS = 1_000;

/**
 * A payload's object field whose read after the write failed: it rejects with an error saying the change was made,
 * so that only that field is null and the payload keeps the rest (the new id, `settled: false`). Keep it inside an
 * object: returned as is from an async function, its rejection would be adopted and take the whole payload.
 */
export type Unread = Promise<never>;

/** What a Cinder or Manila write's payload reports: the object as it stands (null: gone) and whether it has settled. */
export interface WriteOutcome<T> {
  value: T | null | Unread;
  settled: boolean;
}

/**
 * `waitSeconds` of a Cinder or Manila write -> ms to wait (null: read once). The same rule as SDRS's (0-30),
 * checked before any upstream call: out of range is BAD_USER_INPUT.
 */
export const writeWaitMillis = (waitSeconds: number | null | undefined): number | null => waitMillis(waitSeconds);

/**
 * After a write the upstream accepted: read the object afresh (`freshRead` must bypass the request's loaders),
 * then again with backoff while it is transitional, until `waitMs` or the request deadline (less time to answer)
 * is reached. The write itself is never repeated. A re-read that fails during the wait ends it with the reading
 * before (unsettled): the write has happened, and the client must still learn what it made. The first read's
 * failure is the object field's error (Unread), as without a wait, saying that the change was made. The object's
 * subscriptions were told by the write itself (`writing`, afterWrite.ts), whatever these reads find.
 */
export async function rereadUntilSettled<T extends StatusBearing>(
  caller: Caller,
  kind: LiveKind,
  freshRead: () => Promise<T | null>,
  waitMs: number | null,
): Promise<WriteOutcome<T>> {
  const deadline = caller.deadline === undefined ? undefined : caller.deadline - ANSWER_RESERVE_MS;
  try {
    const { value, settled } = await waitUntilSettled<T | null>({
      read: freshRead,
      settled: (v) => hasSettled(kind, v),
      waitMs: waitMs ?? 0,
      deadline,
      keepLastOnError: true,
    });
    return { value, settled };
  } catch (err) {
    return { value: unread(err), settled: false };
  }
}

/** One read after a write the upstream accepted, of an object with no status to wait on (types); a failure is Unread. */
export async function readAfterWrite<T>(freshRead: () => Promise<T | null>): Promise<{ value: T | null | Unread }> {
  try {
    return { value: await freshRead() };
  } catch (err) {
    return { value: unread(err) };
  }
}

function unread(err: unknown): Unread {
  const field = Promise.reject(madeButUnread(err));
  // Not selected, the field is never awaited: unhandled, its rejection would end the process.
  field.catch(() => undefined);
  return field;
}

/** A read after a write failed: its error, saying that the write itself was made, so that nobody sends it again. */
export function madeButUnread(err: unknown): unknown {
  if (!(err instanceof FacadeError)) return err;
  const message = `The change was made, but reading the object back failed, so it is not shown here (do not send the change again): ${err.message}`;
  if (!(err instanceof UpstreamError)) return new FacadeError(err.code, message);
  const made = new UpstreamError(err.code, message, err.service, err.status, err.requestId, err.upstreamCode, err.retryAfter);
  // The upstream's own text, for the log line.
  made.upstreamMessage = err.upstreamMessage;
  return made;
}

/** Up to ten names, then how many more: for messages that list keys. */
export const listed = (keys: readonly string[]) => (keys.length === 0 ? 'none' : keys.slice(0, 10).join(', ') + (keys.length > 10 ? ` and ${keys.length - 10} more` : ''));

/**
 * Removes `keys` one call each (Cinder and Manila have no bulk removal of specs), sent once, in order. The first
 * failure stops the rest, and its error says which of `what` were removed before it and which were never sent.
 */
export async function removeEach(keys: readonly string[], what: string, remove: (key: string) => Promise<void>): Promise<void> {
  for (const [i, key] of keys.entries()) {
    try {
      await remove(key);
    } catch (err) {
      throw midway(err, `while removing ${what} ${key}; already removed: ${listed(keys.slice(0, i))}; not sent: ${listed(keys.slice(i + 1))}`, keys.length > 1);
    }
  }
}

/** The error of one call of several, with what the calls around it did. */
function midway(err: unknown, note: string, several: boolean): unknown {
  if (!(err instanceof FacadeError) || !several) return err;
  // A copy, not the error itself: same class, code and upstream fields, a longer message.
  const out = Object.create(Object.getPrototypeOf(err) as object, Object.getOwnPropertyDescriptors(err)) as FacadeError;
  out.message = `${err.message} (${note})`;
  return out;
}
