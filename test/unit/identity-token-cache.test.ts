// Issue 16: validated tokens are kept by hash, never past their expiry nor the cache's TTL, bounded in count.
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { newCaller } from '../../src/context.js';
import { TokenCache } from '../../src/identity/tokenCache.js';
import { CollectionSizes } from '../../src/upstreams/loaders.js';

describe('TokenCache', () => {
  let t = 1_000_000;
  const now = () => t;

  it('keeps a token until the earlier of its expiry and the TTL', () => {
    const cache = new TokenCache<string>(60_000, 10, now);
    cache.set('a', 'alice', t + 5_000);
    cache.set('b', 'bob', t + 3_600_000);
    t += 4_999;
    expect(cache.get('a')).toBe('alice');
    t += 1;
    expect(cache.get('a')).toBeUndefined();
    t += 55_000 - 1;
    expect(cache.get('b')).toBe('bob');
    t += 1;
    expect(cache.get('b')).toBeUndefined();
  });

  it('does not keep a token that has already expired', () => {
    const cache = new TokenCache<string>(60_000, 10, now);
    cache.set('old', 'x', t - 1);
    expect(cache.get('old')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('is bounded: the oldest written goes first', () => {
    const cache = new TokenCache<number>(60_000, 3, now);
    for (let i = 0; i < 5; i++) cache.set(`tok${i}`, i, t + 60_000);
    expect(cache.size).toBe(3);
    expect(cache.get('tok0')).toBeUndefined();
    expect(cache.get('tok4')).toBe(4);
  });

  it('sweeps expired entries as new ones are written: the count follows the live tokens (it kept every one)', () => {
    const cache = new TokenCache<number>(1_000, 10_000, now);
    for (let i = 0; i < 100; i++) cache.set(`old${i}`, i, t + 3_600_000);
    t += 1_000;
    for (let i = 0; i < 100; i++) cache.set(`new${i}`, i, t + 3_600_000);
    expect(cache.size).toBe(100);
    expect(cache.get('new0')).toBe(0);
  });

  it('sweeps on lookups too: after a burst, a few requests with a known token empty it', () => {
    const cache = new TokenCache<number>(60_000, 10_000, now);
    for (let i = 0; i < 20; i++) cache.set(`burst${i}`, i, t + 1_000);
    cache.set('steady', 1, t + 3_600_000);
    t += 1_000;
    for (let i = 0; i < 5; i++) expect(cache.get('steady')).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('is bounded by the weight of its values: the oldest go first, and one heavier than the budget is not kept', () => {
    const cache = new TokenCache<string>(60_000, 100, now, { maxBytes: 1_000, bytesOf: (v) => v.length });
    for (let i = 0; i < 5; i++) cache.set(`tok${i}`, `${i}`.repeat(300), t + 60_000);
    expect([cache.size, cache.weight]).toEqual([3, 900]);
    expect(cache.get('tok1')).toBeUndefined();
    cache.set('huge', 'x'.repeat(1_001), t + 60_000);
    expect(cache.get('huge')).toBeUndefined();
    expect([cache.size, cache.weight]).toEqual([3, 900]);
    t += 60_000;
    cache.set('after', 'y', t + 60_000);
    expect([cache.size, cache.weight]).toEqual([1, 1]);
  });

  it('counts hits and misses, and keys by a hash, never the token', () => {
    const cache = new TokenCache<number>(60_000, 3, now);
    cache.set('secret-token', 1, t + 1_000);
    cache.get('secret-token');
    cache.get('other');
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    expect(TokenCache.keyOf('secret-token')).not.toContain('secret');
    expect(JSON.stringify([...(cache as unknown as { entries: Map<string, unknown> }).entries.keys()])).not.toContain('secret-token');
  });
});

describe('one hash of the token per request', () => {
  it('newCaller hashes once; the breaker identity and the cache key come from that hash', () => {
    const keyOf = vi.spyOn(TokenCache, 'keyOf');
    try {
      const caller = newCaller('secret-token', 1_000);
      expect(keyOf).toHaveBeenCalledTimes(1);
      expect(caller.tokenHash).toBe(createHash('sha256').update('secret-token').digest('base64url'));
      expect(caller.identity).toBe(`token:${caller.tokenHash!.slice(0, 22)}`);
      const cache = new TokenCache<string>(60_000, 10);
      cache.set('secret-token', 'alice', Date.now() + 60_000, caller.tokenHash);
      expect(cache.get('secret-token', caller.tokenHash)).toBe('alice');
      expect(keyOf).toHaveBeenCalledTimes(1);
      // The planner's per-caller sizes are keyed by the same hash, not a second one.
      const sizesKey = CollectionSizes.key('cinder', 'volumes', caller);
      expect(keyOf).toHaveBeenCalledTimes(1);
      expect(sizesKey).not.toContain('secret-token');
      expect(CollectionSizes.key('cinder', 'volumes', { token: 'secret-token', requestId: 'req-x' })).toBe(sizesKey);
      // The same entry as a lookup that hashes for itself.
      expect(cache.get('secret-token')).toBe('alice');
      expect(newCaller(null, 1_000, '10.0.0.1')).toMatchObject({ identity: 'address:10.0.0.1', tokenHash: undefined });
    } finally {
      keyOf.mockRestore();
    }
  });
});

describe('TokenCache eviction', () => {
  it('drops the least recently used token first: a token in use is not pushed out by a churn of new ones', () => {
    const cache = new TokenCache<string>(60_000, 3);
    const far = Date.now() + 3_600_000;
    for (const t of ['in-use', 'b', 'c']) cache.set(t, t, far);
    for (let i = 0; i < 10; i++) {
      expect(cache.get('in-use')).toBe('in-use');
      cache.set(`new-${i}`, 'x', far);
    }
    expect(cache.get('in-use')).toBe('in-use');
    expect(cache.size).toBe(3);
  });
});
