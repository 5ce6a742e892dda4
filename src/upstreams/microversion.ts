import { type UpstreamService, UpstreamError } from '../errors.js';
import type { RequestTrace } from '../observability/requestTrace.js';
import { serviceLabel } from './upstreamErrors.js';
import type { HttpClient } from './http.js';
import { isObject } from './wire.js';

/** The longest a version document may take to arrive whole: a body sent a byte at a time must not hold it forever. */
export const VERSION_READ_MS = 10_000;

/** A `major.minor` API version, compared numerically (3.9 < 3.10). */
export interface Version {
  major: number;
  minor: number;
}

export function parseVersion(raw: string): Version | null {
  const m = /^(\d+)\.(\d+)$/.exec(raw.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a);
  const vb = parseVersion(b);
  if (!va || !vb) throw new Error(`not a version: ${!va ? a : b}`);
  return va.major - vb.major || va.minor - vb.minor;
}

export function minVersion(a: string, b: string): string {
  return compareVersions(a, b) <= 0 ? a : b;
}

/** Strips `/vN[/project]` from a catalog endpoint: the service root serves the version document. */
export function serviceRoot(endpoint: string, versionSegment: RegExp): string {
  const url = new URL(endpoint);
  const parts = url.pathname.split('/');
  const idx = parts.findIndex((p) => versionSegment.test(p));
  url.pathname = idx === -1 ? '/' : `${parts.slice(0, idx).join('/')}/`;
  return url.toString();
}

/**
 * Who a version document is read for: the request that found the cache empty. The read carries its request id
 * upstream and counts in its log line, metrics and span, though every request waiting on it shares the answer.
 */
export type DiscoveryTrigger = { readonly requestId?: string; readonly trace?: RequestTrace; readonly deadline?: number };

/**
 * The microversion range a Cinder (`v3`) or Manila (`v2`) advertises: its version document, at the service's root,
 * read without a token (it is public) and with a deadline of its own, not the trigger's: other requests wait on it.
 */
export async function readAdvertisedRange(http: HttpClient, trigger: DiscoveryTrigger | undefined, id: 'v2' | 'v3', service: UpstreamService): Promise<{ min: string | null; max: string }> {
  const root = serviceRoot(http.endpoint, new RegExp(`^${id}(\\.\\d+)?$`));
  const res = await http.send({ method: 'GET', path: '', requestId: trigger?.requestId, trace: trigger?.trace, deadline: Date.now() + VERSION_READ_MS }, root);
  return advertisedRange(res.json, id, service, res.status);
}

/**
 * The `id` entry (`v3`, `v2`) of a service's version document: the microversion range it advertises. A document
 * without one, or whose versions are not `major.minor`, is the upstream's fault (UPSTREAM_ERROR), never cached.
 */
function advertisedRange(json: unknown, id: string, service: UpstreamService, status: number): { min: string | null; max: string } {
  const body = (isObject(json) ? json : {}) as { versions?: unknown; version?: unknown };
  const list: unknown[] = Array.isArray(body.versions) ? body.versions : body.version ? [body.version] : [];
  const label = serviceLabel(service);
  for (const entry of list) {
    const v = (isObject(entry) ? entry : {}) as { id?: unknown; version?: unknown; min_version?: unknown };
    if (typeof v.id !== 'string' || !v.id.startsWith(id) || !v.version) continue;
    if (typeof v.version !== 'string' || !parseVersion(v.version)) {
      throw new UpstreamError('UPSTREAM_ERROR', `${label} advertised its ${id} API at a version that is not major.minor.`, service, status, null, null);
    }
    const min = typeof v.min_version === 'string' && parseVersion(v.min_version) ? v.min_version : null;
    return { min, max: v.version };
  }
  throw new UpstreamError('UPSTREAM_ERROR', `${label} did not advertise a ${id} API version.`, service, status, null, null);
}

/**
 * Caches one service's version document per process (it is public and the same for every caller). A failure is
 * not cached: the next request tries again.
 */
export class VersionCache {
  private value: { max: string; at: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly service: UpstreamService,
    private readonly discover: (trigger?: DiscoveryTrigger) => Promise<string>,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  /** The cached maximum while it is fresh, synchronously; undefined when `max()` would have to read it. */
  peek(): string | undefined {
    return this.value && Date.now() - this.value.at < this.ttlMs ? this.value.max : undefined;
  }

  /**
   * What the cached maximum allows (the version to send, its headers, features), made by `derive` once per
   * version document. Synchronous while the document is cached, so a call awaits nothing before it is sent.
   */
  negotiated<N>(derive: (max: string) => N): (trigger?: DiscoveryTrigger) => N | Promise<N> {
    let made: { max: string; value: N } | undefined;
    const of = (max: string): N => {
      if (made?.max !== max) made = { max, value: derive(max) };
      return made.value;
    };
    return (trigger) => {
      const max = this.peek();
      return max === undefined ? this.max(trigger).then(of) : of(max);
    };
  }

  async max(trigger?: DiscoveryTrigger): Promise<string> {
    const cached = this.peek();
    if (cached !== undefined) return cached;
    const waiting = this.pending !== null;
    this.pending ??= this.discover(trigger)
      .then((max) => {
        this.value = { max, at: Date.now() };
        return max;
      })
      .finally(() => {
        this.pending = null;
      });
    // A request that joined another's read gets its failure without the upstream's request id: that id is the
    // other request's (the upstream echoes X-OpenStack-Request-ID), which this caller must not be shown.
    const read = waiting ? this.pending.catch((err: unknown) => Promise.reject(withoutRequestId(err))) : this.pending;
    // The read is shared (and bounded by VERSION_READ_MS); each request waits on it no longer than its own deadline.
    return trigger?.deadline === undefined ? read : this.within(read, trigger.deadline);
  }

  private within(read: Promise<string>, deadline: number): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const message = `${serviceLabel(this.service)} did not send its version document before the request deadline.`;
        reject(new UpstreamError('UPSTREAM_TIMEOUT', message, this.service, 0, null, null));
      }, Math.max(0, deadline - Date.now()));
    });
    return Promise.race([read, late]).finally(() => clearTimeout(timer));
  }
}

/** `err` without the upstream's request id (an UpstreamError's copy; anything else as it is). */
function withoutRequestId(err: unknown): unknown {
  if (!(err instanceof UpstreamError) || err.requestId === null) return err;
  const copy = new UpstreamError(err.code, err.message, err.service, err.status, null, err.upstreamCode, err.retryAfter);
  copy.upstreamMessage = err.upstreamMessage;
  return copy;
}
