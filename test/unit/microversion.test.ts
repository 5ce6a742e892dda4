import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { VersionCache, compareVersions, minVersion } from '../../src/upstreams/microversion.js';

describe('microversions', () => {
  it('compares numerically, not as text', () => {
    expect(compareVersions('3.9', '3.10')).toBeLessThan(0);
    expect(compareVersions('3.70', '3.70')).toBe(0);
    expect(minVersion('3.100', '3.70')).toBe('3.70');
    expect(() => compareVersions('3.x', '3.1')).toThrow(/not a version/);
  });
});

describe('VersionCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('peek() answers synchronously only once a fresh maximum is cached', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let reads = 0;
    const cache = new VersionCache('cinder', async () => `3.${60 + ++reads}`, 1_000);
    expect(cache.peek()).toBeUndefined();
    // Concurrent first callers share one read of the version document.
    expect(await Promise.all([cache.max(), cache.max()])).toEqual(['3.61', '3.61']);
    expect(reads).toBe(1);
    expect(cache.peek()).toBe('3.61');
    vi.advanceTimersByTime(999);
    expect(cache.peek()).toBe('3.61');
    vi.advanceTimersByTime(2);
    // Stale: peek() no longer answers, and max() reads the document again.
    expect(cache.peek()).toBeUndefined();
    expect(await cache.max()).toBe('3.62');
    expect(cache.peek()).toBe('3.62');
    expect(reads).toBe(2);
  });

  it('negotiated() derives once per version document, synchronously while it is cached', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let reads = 0;
    const derived: string[] = [];
    const cache = new VersionCache('cinder', async () => (++reads === 1 ? '3.60' : '3.70'), 1_000);
    const negotiated = cache.negotiated((max) => {
      derived.push(max);
      return { version: max };
    });
    const first = negotiated();
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toEqual({ version: '3.60' });
    const again = negotiated();
    expect(again).toEqual({ version: '3.60' });
    expect(negotiated()).toBe(again);
    expect(derived).toEqual(['3.60']);
    // A new version document: a new negotiation.
    vi.advanceTimersByTime(1_001);
    expect(await negotiated()).toEqual({ version: '3.70' });
    expect(derived).toEqual(['3.60', '3.70']);
  });

  it('does not cache a failed read', async () => {
    let fail = true;
    const cache = new VersionCache('cinder', async () => {
      if (fail) throw new Error('version document unavailable');
      return '2.73';
    });
    await expect(cache.max()).rejects.toThrow(/unavailable/);
    expect(cache.peek()).toBeUndefined();
    fail = false;
    expect(await cache.max()).toBe('2.73');
    expect(cache.peek()).toBe('2.73');
  });

  // The upstream echoes the id the read was sent with: the first request's. Another request waiting on the same
  // read was answered with it in extensions.upstream.requestId (probe of 2026-12-07).
  it("a failed read reaches a request that joined it without the upstream's request id, which is the first request's", async () => {
    const cache = new VersionCache('cinder', async (trigger) => {
      await new Promise((r) => setTimeout(r, 10));
      throw new UpstreamError('UPSTREAM_ERROR', 'Cinder failed (HTTP 500).', 'cinder', 500, trigger?.requestId ?? null, null);
    });
    const first = cache.max({ requestId: 'req-first' }).catch((e: UpstreamError) => e);
    const joined = cache.max({ requestId: 'req-second' }).catch((e: UpstreamError) => e);
    const [a, b] = (await Promise.all([first, joined])) as [UpstreamError, UpstreamError];
    expect(a.requestId).toBe('req-first');
    expect(b).toBeInstanceOf(UpstreamError);
    expect({ code: b.code, status: b.status, message: b.message, requestId: b.requestId }).toEqual({ code: 'UPSTREAM_ERROR', status: 500, message: 'Cinder failed (HTTP 500).', requestId: null });
  });
});
