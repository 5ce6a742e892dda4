import type { Upstreams } from '../context.js';
import { UpstreamError } from '../errors.js';
import type { KeystoneClient } from '../identity/keystone.js';
import type { Logger } from './logger.js';
import { VERSION_READ_MS } from '../upstreams/microversion.js';
import { isObject, textOf } from '../upstreams/wire.js';

const reason = (err: unknown) =>
  err instanceof UpstreamError
    ? { code: err.code, status: err.status, upstreamRequestId: err.requestId ?? undefined, reason: err.message }
    : { reason: err instanceof Error ? err.message : String(err) };

/**
 * On start-up: each configured upstream's version document, read once (Cinder's and Manila's through the same
 * cache their calls negotiate with, so the first request does not read it again) and logged with its API version
 * range, or why it could not be read. A failure never stops the start: the facade answers that service's fields
 * with errors until it comes back. Services reached through each caller's Keystone catalog have no endpoint yet.
 */
export async function logUpstreamVersions(upstreams: Upstreams, keystone: KeystoneClient | null, keystoneRequired: boolean, log: Logger): Promise<void> {
  const probes: Promise<void>[] = [];
  const probe = (service: string, endpoint: string, read: () => Promise<Record<string, unknown>>) =>
    probes.push(
      read().then(
        (found) => log.info({ service, endpoint, ...found }, 'upstream version document'),
        (err: unknown) => log.warn({ service, endpoint, ...reason(err) }, 'upstream version document could not be read; starting anyway'),
      ),
    );
  // With a required Keystone every caller reaches its own endpoints (clients per endpoint, each negotiating its
  // version on first use): the process-wide clients are never used, so reading their documents would be noise.
  const { cinder, manila, sdrs } = keystoneRequired ? { cinder: null, manila: null, sdrs: null } : upstreams;
  if (cinder) probe('cinder', cinder.http.endpoint, async () => {
    const v = await cinder.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  });
  if (manila) probe('manila', manila.http.endpoint, async () => {
    const v = await manila.apiVersions();
    return { minVersion: v.min, maxVersion: v.max, sentVersion: v.sent };
  });
  if (sdrs) probe('sdrs', sdrs.http.endpoint, async () => {
    const versions = await sdrs.apiVersions();
    return { versions: versions.map((v) => `${v.id} ${v.status}`), microversions: false };
  });
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
