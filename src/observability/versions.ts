import type { Upstreams } from '../context.js';
import { UpstreamError } from '../errors.js';
import type { KeystoneClient } from '../identity/keystone.js';
import type { Logger } from './logger.js';
import type { HttpClient } from '../upstreams/http.js';
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
 * An upstream that gave no answer stays `unreached` for /readyz (its host tried again every `recheckMs`) until one
 * comes: without a required Keystone Cinder, Manila and SDRS, and Keystone itself.
 */
export async function logUpstreamVersions(
  upstreams: Upstreams,
  keystone: KeystoneClient | null,
  keystoneRequired: boolean,
  log: Logger,
  { recheckMs = RECHECK_MS, signal }: { recheckMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const probes: Promise<void>[] = [];
  const probe = (service: string, http: HttpClient, read: Read) => {
    const { endpoint, breaker } = http;
    // Unreached until an answer: a black-holed upstream counts from the start, not once its read times out.
    breaker.unreached = true;
    probes.push(
      read().then(
        (found) => {
          breaker.unreached = false;
          log.info({ service, endpoint, ...found }, 'upstream version document');
        },
        (err: unknown) => {
          log.warn({ service, endpoint, ...reason(err) }, 'upstream version document could not be read; starting anyway');
          if (answered(err)) breaker.unreached = false;
          else recheck({ service, http, read, log, ms: recheckMs, signal });
        },
      ),
    );
  };
  // With a required Keystone every caller reaches its own endpoints (clients per endpoint, each negotiating its
  // version on first use): the process-wide clients are never used, so reading their documents would be noise.
  const { cinder, manila, sdrs } = keystoneRequired ? { cinder: null, manila: null, sdrs: null } : upstreams;
  if (cinder) probe('cinder', cinder.http, async () => {
    const v = await cinder.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  });
  if (manila) probe('manila', manila.http, async () => {
    const v = await manila.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  });
  if (sdrs) probe('sdrs', sdrs.http, async () => {
    const versions = await sdrs.apiVersions();
    return { versions: versions.map((v) => `${v.id} ${v.status}`), microversions: false };
  });
  if (keystone) probe('keystone', keystone.http, async () => {
    // The endpoint itself as an absolute URL: an empty relative path on a host-only URL is no request line at all.
    const res = await keystone.http.send({ method: 'GET', path: '', deadline: Date.now() + VERSION_READ_MS }, keystone.http.endpoint);
    const v = isObject(res.json) && isObject(res.json.version) ? res.json.version : {};
    const version = textOf(v.id);
    if (!version) throw new UpstreamError('UPSTREAM_ERROR', 'Keystone answered a version document that names no version.', 'keystone', res.status, null, null);
    return { version, status: textOf(v.status) ?? null };
  });
  await Promise.all(probes);
}

interface Recheck {
  service: string;
  http: HttpClient;
  read: Read;
  log: Logger;
  ms: number;
  signal?: AbortSignal;
}

/**
 * An upstream not reached at start-up: its host tried again every `ms` (outside its breaker: an idle facade's
 * tries must not open the circuit callers meet) until it answers or a call clears `unreached`, so /readyz says ready
 * again with no traffic to prove it (a balancer sends none to a not-ready facade); then its version document is
 * read once for the log. Unref'd: it holds no process open; `signal` (the app's close or drain) ends it.
 */
function recheck(r: Recheck): void {
  if (r.signal?.aborted) return;
  const { service, http, log } = r;
  const reached = (fields: Record<string, unknown>) => {
    http.breaker.unreached = false;
    log.info({ service, endpoint: http.endpoint, ...fields }, 'upstream reached since start-up; /readyz counts it again');
  };
  const timer = setTimeout(async () => {
    r.signal?.removeEventListener('abort', stop);
    if (!http.breaker.unreached) return reached({});
    if (!(await http.answers(Date.now() + VERSION_READ_MS))) return recheck(r);
    r.read().then(reached, (err: unknown) => reached(reason(err)));
  }, r.ms).unref();
  const stop = () => clearTimeout(timer);
  r.signal?.addEventListener('abort', stop, { once: true });
}
