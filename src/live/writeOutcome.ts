import { UpstreamError } from '../errors.js';
import { waitMillis } from '../resolvers/sdrs/wait.js';
import type { Caller } from '../upstreams/caller.js';
import { waitUntilSettled } from './settle.js';
import { type LiveKind, type StatusBearing, hasSettled } from './transitional.js';

/** Time kept after the wait to build and send the answer inside the request deadline (as SDRS's job wait does). */
const ANSWER_RESERVE_MS = 1_000;

/** What a Cinder or Manila write's payload reports: the object as it stands (null: gone) and whether it has settled. */
export interface WriteOutcome<T> {
  value: T | null;
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
 * failure is the mutation's error, as without a wait, saying that the change was made.
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
    throw madeButUnread(err);
  }
}

/** The first re-read failed: its error, saying that the write itself was made, so that nobody sends it again. */
function madeButUnread(err: unknown): unknown {
  if (!(err instanceof UpstreamError)) return err;
  const message = `The change was made, but reading the object back failed, so it is not shown here (do not send the change again): ${err.message}`;
  return new UpstreamError(err.code, message, err.service, err.status, err.requestId, err.upstreamCode, err.retryAfter);
}
