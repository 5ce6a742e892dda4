import type { FormattedExecutionResult } from 'graphql';

/**
 * What makes two results of a subscription the same event: their data and errors, without the request ids each
 * error carries (the facade's, and an upstream's own, new for every call: real Cinder's made every poll of one
 * failing link a new event).
 */
export function eventKey(result: FormattedExecutionResult): string {
  if (!result.errors?.length) return JSON.stringify(result);
  const errors = result.errors.map((e) => {
    if (!e.extensions) return e;
    const { requestId: _ownId, upstream, ...extensions } = e.extensions as { requestId?: unknown; upstream?: Record<string, unknown> };
    const { requestId: _upstreamId, ...sameUpstream } = upstream ?? {};
    return { ...e, extensions: upstream ? { ...extensions, upstream: sameUpstream } : extensions };
  });
  return JSON.stringify({ ...result, errors });
}

/** A result an upstream's 401 (or Keystone's refusal) of the subscriber's token is in. */
export function refusesToken(result: FormattedExecutionResult): boolean {
  return result.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ?? false;
}

/**
 * Subscriptions whose last result had errors: a link read on its own (a group's volumes) failed while the object
 * itself was read. Their poller hands them its next read even when the object did not change, so the link is read
 * again and a healed upstream shows within one poll instead of at the object's next change (maybe never).
 */
const failing = new WeakSet<object>();

/**
 * The hub executed an event of `source`, a poller's stream to one subscriber (graphql's createSourceEventStream
 * hands the hub the Subscription resolver's stream as it is): with errors or without.
 */
export function executed(source: object, withErrors: boolean): void {
  if (withErrors) failing.add(source);
  else failing.delete(source);
}

/** Whether `source` gets its poller's next read although the object is unchanged. */
export function readAgain(source: object): boolean {
  return failing.has(source);
}
