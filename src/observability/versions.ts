import type { Upstreams } from '../context.js';
import { UpstreamError } from '../errors.js';
import type { KeystoneClient } from '../identity/keystone.js';
import type { Logger } from './logger.js';
import type { CircuitBreaker } from '../upstreams/resilience.js';
import { VERSION_READ_MS } from '../upstreams/microversion.js';
import { isObject, textOf } from '../upstreams/wire.js';

/** How long a data service not reached since start-up waits between reads of its version document. */
export const RECHECK_MS = 10_000;

type Read = () => Promise<Record<string, unknown>>;

/** Any HTTP answer (a 404, a 500) proves the upstream reachable; refused, reset, no name, a timeout do not. */
const answered = (err: unknown) => err instanceof UpstreamError && err.status > 0;

const reason = (err: unknown) =>
  err instanceof UpstreamError
    ? { code: err.code, status: err.status, upstreamRequestId: err.requestId ?? undefined, reason: err.message }
    : { reason: err instanceof Error ? err.message : String(err) };

/**
 * On start-up: each configured upstream's version document, read once (Cinder's and Manila's through the same
 * cache their calls negotiate with, so the first request does not read it again) and logged with its API version
 * range, or why it could not be read. A failure never stops the start: the facade answers that service's fields
 * with errors until it comes back. Services reached through each caller's Keystone catalog have no endpoint yet.
 * A data service that gave no answer stays `unreached` for /readyz (read again every `recheckMs`) until one comes.
 */
export async function logUpstreamVersions(
  upstreams: Upstreams,
  keystone: KeystoneClient | null,
  keystoneRequired: boolean,
  log: Logger,
  { recheckMs = RECHECK_MS, signal }: { recheckMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const probes: Promise<void>[] = [];
  const probe = (service: string, endpoint: string, read: Read, breaker?: CircuitBreaker) => {
    // Unreached until an answer: a black-holed upstream counts from the start, not once its read times out.
    if (breaker) breaker.unreached = true;
    probes.push(
      read().then(
        (found) => {
          if (breaker) breaker.unreached = false;
          log.info({ service, endpoint, ...found }, 'upstream version document');
        },
        (err: unknown) => {
          log.warn({ service, endpoint, ...reason(err) }, 'upstream version document could not be read; starting anyway');
          if (breaker && answered(err)) breaker.unreached = false;
          else if (breaker) recheck(service, endpoint, read, breaker, log, recheckMs, signal);
        },
      ),
    );
  };
  // With a required Keystone every caller reaches its own endpoints (clients per endpoint, each negotiating its
  // version on first use): the process-wide clients are never used, so reading their documents would be noise.
  const { cinder, manila, sdrs } = keystoneRequired ? { cinder: null, manila: null, sdrs: null } : upstreams;
  if (cinder) probe('cinder', cinder.http.endpoint, async () => {
    const v = await cinder.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  }, cinder.http.breaker);
  if (manila) probe('manila', manila.http.endpoint, async () => {
    const v = await manila.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  }, manila.http.breaker);
  if (sdrs) probe('sdrs', sdrs.http.endpoint, async () => {
    const versions = await sdrs.apiVersions();
    return { versions: versions.map((v) => `${v.id} ${v.status}`), microversions: false };
  }, sdrs.http.breaker);
  if (keystone) probe('keystone', keystone.http.endpoint, async () => {
    // The endpoint itself as an absolute URL: an empty relative path on a host-only URL is no request line at all.
    const res = await keystone.http.send({ method: 'GET', path: '', deadline: Date.now() + VERSION_READ_MS }, keystone.http.endpoint);
    const v = isObject(res.json) && isObject(res.json.version) ? res.json.version : {};
    const version = textOf(v.id);
    if (!version) throw new UpstreamError('UPSTREAM_ERROR', 'Keystone answered a version document that names no version.', 'keystone', res.status, null, null);
    return { version, status: textOf(v.status) ?? null };
  });
  await Promise.all(probes);
}

/**
 * A data service not reached at start-up: its version document read again every `ms` until an answer (or any call's)
 * clears `unreached`, so /readyz says ready again with no traffic to prove it (a balancer sends none to a not-ready
 * facade). Unref'd: it holds no process open; `signal` (the app's close or drain) ends it.
 */
function recheck(service: string, endpoint: string, read: Read, breaker: CircuitBreaker, log: Logger, ms: number, signal?: AbortSignal): void {
  if (signal?.aborted) return;
  const reached = (fields: Record<string, unknown>) => {
    breaker.unreached = false;
    log.info({ service, endpoint, ...fields }, 'upstream reached since start-up; /readyz counts it again');
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', stop);
    if (!breaker.unreached) return reached({});
    read().then(reached, (err: unknown) => (answered(err) ? reached(reason(err)) : recheck(service, endpoint, read, breaker, log, ms, signal)));
  }, ms).unref();
  const stop = () => clearTimeout(timer);
  signal?.addEventListener('abort', stop, { once: true });
}
