import type { RequestTrace } from '../observability/requestTrace.js';

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
export type DiscoveryTrigger = { readonly requestId?: string; readonly trace?: RequestTrace };

/**
 * Caches one service's version document per process (it is public and the same for every caller). A failure is
 * not cached: the next request tries again.
 */
export class VersionCache {
  private value: { max: string; at: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
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
    this.pending ??= this.discover(trigger)
      .then((max) => {
        this.value = { max, at: Date.now() };
        return max;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
