import { UpstreamError, type UpstreamService } from '../errors.js';
import { ClientLeft } from './caller.js';
import { isTlsRefusal, serviceLabel } from './upstreamErrors.js';

// How HttpClient judges a failed call: worth a retry, the upstream's fault or the caller's, sent or not.

/** `extensions.upstream.code` when the facade itself refused to queue another call to a busy upstream. */
export const BULKHEAD_FULL = 'FACADE_BULKHEAD_FULL';

/**
 * Worth one more try: the request never reached a healthy server. A timeout is not retried (it used the time),
 * nor is our own refusal to queue (retrying would only add to the overload), nor a certificate TLS refused, nor a
 * tunnel the proxy refused.
 */
export function transient(err: UpstreamError): boolean {
  if (err.upstreamCode === BULKHEAD_FULL || (err.status === 0 && isTlsRefusal(err.upstreamCode))) return false;
  // A proxy that could not reach the upstream may next time; one that refused the tunnel (407, 403) will again.
  if (err.status === 0 && err.upstreamCode?.startsWith('PROXY_')) return ['PROXY_502', 'PROXY_503', 'PROXY_504'].includes(err.upstreamCode);
  return err.status === 0 ? err.code === 'UPSTREAM_UNAVAILABLE' : [429, 502, 503, 504].includes(err.status);
}

/** Why the facade cut a call itself, if it did: its client left, or the shutdown destroyed the connection pool. */
export type Cancellation = 'client_left' | 'shutdown';

export function cancellationOf(err: unknown): Cancellation | null {
  if (err instanceof ClientLeft) return 'client_left';
  // undici's ClientDestroyedError: only the facade destroys its pool, once a drain's grace period is over.
  return (err as { code?: string } | null)?.code === 'UND_ERR_DESTROYED' ? 'shutdown' : null;
}

/** The error of a call the facade cut: seen by no client (gone, or cut by the drain), written in its request's line. */
export function cancelledCall(service: UpstreamService, why: Cancellation): UpstreamError {
  const err =
    why === 'client_left'
      ? new UpstreamError('CLIENT_CLOSED', `The client closed its connection; the call to ${serviceLabel(service)} was cut.`, service, 0, null, null)
      : new UpstreamError('SHUTTING_DOWN', `The facade is shutting down; the call to ${serviceLabel(service)} was cut.`, service, 0, null, null);
  return markNotSent(err, 'local');
}

/** Counts against the breaker: the upstream misbehaved (5xx, no answer), not the caller (4xx). */
export function upstreamFault(err: unknown): boolean {
  // SDRS answers a job it does not know with a 500 (SDRS.0408, "Null job"): a lookup's miss, no failure of SDRS.
  if (err instanceof UpstreamError && err.code === 'NOT_FOUND') return false;
  return !(err instanceof UpstreamError) || err.status === 0 || err.status >= 500 || err.status === 429;
}

/**
 * Failed calls that never reached the upstream, by why. 'local': the facade gave up on it itself (no free slot
 * or connection before the deadline, deadline already passed): no outcome for the breaker at all. 'unreached':
 * the upstream did not take the connection (refused, connect timeout, no route): no caller's request can cause
 * that, so it counts for everyone. Any other failure reached the upstream and is blamed on the caller's identity.
 */
const notSent = new WeakMap<UpstreamError, 'local' | 'unreached'>();

export function markNotSent(err: UpstreamError, why: 'local' | 'unreached'): UpstreamError {
  notSent.set(err, why);
  return err;
}

export function notSentReason(err: unknown): 'local' | 'unreached' | undefined {
  return err instanceof UpstreamError ? notSent.get(err) : undefined;
}

/** An upstream's own id or code, unless it holds the caller's token (an upstream that echoes it). */
export function withoutToken(value: string | null, token: string | null | undefined): string | null {
  return value !== null && token && value.includes(token) ? null : value;
}
