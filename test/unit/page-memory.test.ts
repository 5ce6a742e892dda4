import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../src/upstreams/caller.js';
import { volumePage } from '../../src/upstreams/cinder/loaders.js';
import { PageMemory, pageMemoryKey } from '../../src/upstreams/loaders.js';
import type { CinderGroup } from '../../src/upstreams/cinder/types.js';

const caller = (token: string): Caller => ({ token, requestId: 'req-test' });
const cinderKey = (pageKey: string | undefined, c: Caller) => pageMemoryKey('cinder', 'groups', pageKey, c);
const group = (id: string, volumes: string[] | null = ['v1', 'v2']) => ({ id, volumes: volumes ?? undefined }) as unknown as CinderGroup;

describe('PageMemory (the groups a caller page held last time)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keys by token hash and page, never by the token itself, and not for a page key too long to keep', () => {
    const key = cinderKey('[10,null,null]', caller('secret-token'))!;
    expect(key).not.toContain('secret-token');
    expect(cinderKey('[10,null,null]', caller('secret-token'))).toBe(key);
    expect(cinderKey('[10,null,null]', caller('another-token'))).not.toBe(key);
    expect(cinderKey('[20,null,null]', caller('secret-token'))).not.toBe(key);
    expect(cinderKey(JSON.stringify([10, null, 'x'.repeat(300)]), caller('secret-token'))).toBeUndefined();
    expect(cinderKey(undefined, caller('secret-token'))).toBeUndefined();
  });

  it('remembers ids and a volume count for a minute', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const memory = new PageMemory(60_000);
    memory.remember('k', volumePage([group('a'), group('b', ['v3'])]));
    expect(memory.recall('k')).toMatchObject({ ids: ['a', 'b'], volumes: 3 });
    vi.advanceTimersByTime(60_001);
    expect(memory.recall('k')).toBeUndefined();
  });

  it('keeps no guess it could not use: one group, more than 50, ids unfit for a list filter', () => {
    const memory = new PageMemory();
    memory.remember('one', volumePage([group('a')]));
    memory.remember('many', volumePage(Array.from({ length: 51 }, (_, i) => group(`g${i}`))));
    memory.remember('unsafe', volumePage([group('a'), group('b"]')]));
    for (const k of ['one', 'many', 'unsafe']) expect(memory.recall(k), k).toBeUndefined();
    // Groups read without their volume ids (list_volume is asked only when volumes are): the ids, for the snapshot
    // guess; no volume count, so no volume guess.
    memory.remember('unknown', volumePage([group('a'), group('b', null)]));
    expect(memory.recall('unknown')).toEqual({ ids: ['a', 'b'] });
    // A page that no longer qualifies also forgets what it held before.
    memory.remember('k', volumePage([group('a'), group('b')]));
    memory.remember('k', volumePage([group('a')]));
    expect(memory.recall('k')).toBeUndefined();
  });

  it('a page read without volume ids keeps the count the same groups had, and only theirs, for a minute', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const before = volumePage([group('a'), group('b', ['v3'])])!;
    expect(volumePage([group('a', null), group('b', null)], before)).toEqual({ ids: ['a', 'b'], volumes: 3, countedAt: before.countedAt });
    expect(volumePage([group('a', null), group('c', null)], before)).toEqual({ ids: ['a', 'c'] });
    expect(volumePage([group('a', null)], before)?.volumes).toBeUndefined();
    // Read with volume ids, the page's own count wins.
    expect(volumePage([group('a', []), group('b', [])], before)).toMatchObject({ ids: ['a', 'b'], volumes: 0 });
    // Carried over by list views, a count is not kept past the minute it was taken (review: kept for good).
    vi.advanceTimersByTime(60_001);
    expect(volumePage([group('a', null), group('b', null)], before)).toEqual({ ids: ['a', 'b'] });
  });

  it('holds a bounded number of pages, the oldest out first', () => {
    const memory = new PageMemory(60_000, 3);
    for (const k of ['p1', 'p2', 'p3', 'p4']) memory.remember(k, volumePage([group('a'), group('b')]));
    expect(memory.recall('p1')).toBeUndefined();
    expect(memory.recall('p2')).toBeDefined();
    expect(memory.recall('p4')).toBeDefined();
  });
});

describe('PageMemory for Manila (the share groups a caller page held last time)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keys per service and collection, by token hash, never by the token', () => {
    const key = pageMemoryKey('manila', 'share-groups', '[10,null,{}]', caller('secret-token'))!;
    expect(key).not.toContain('secret-token');
    expect(pageMemoryKey('cinder', 'groups', '[10,null,{}]', caller('secret-token'))).not.toBe(key);
    expect(pageMemoryKey('manila', 'share-groups', '[10,null,{}]', caller('other-token'))).not.toBe(key);
    expect(pageMemoryKey('manila', 'share-groups', 'x'.repeat(257), caller('secret-token'))).toBeUndefined();
  });

  it('remembers 2 to 50 ids for a minute, and forgets a page that no longer qualifies', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const memory = new PageMemory(60_000);
    memory.remember('k', { ids: ['a', 'b'] });
    expect(memory.recall('k')).toEqual({ ids: ['a', 'b'] });
    memory.remember('one', { ids: ['a'] });
    memory.remember('many', { ids: Array.from({ length: 51 }, (_, i) => `g${i}`) });
    expect(memory.recall('one')).toBeUndefined();
    expect(memory.recall('many')).toBeUndefined();
    memory.remember('k', { ids: ['a'] });
    expect(memory.recall('k')).toBeUndefined();
    memory.remember('k', { ids: ['a', 'b', 'c'] });
    vi.advanceTimersByTime(60_001);
    expect(memory.recall('k')).toBeUndefined();
  });
});
