// Reading a listing's upstream pages at once by offset (issue 19, item 3): the pages must line up, else the
// caller reads by marker; and what the planner knows of a project's listing (its size, exact or a lower bound).
import { describe, expect, it, vi } from 'vitest';
import { CollectionSizes } from '../../src/upstreams/loaders.js';
import { type MarkerPage, readPagesAtOnce } from '../../src/upstreams/paging.js';

interface Item {
  id: string;
}

/** A listing of `size` items served by offset, capped at `cap` a page, as Cinder does; `before` runs before each read. */
function listing(size: number, cap = 1000, before?: (items: Item[], call: number) => void) {
  const items: Item[] = Array.from({ length: size }, (_, i) => ({ id: `i${i}` }));
  const asked: string[] = [];
  const fetchAt = async (offset: number, limit: number): Promise<MarkerPage<Item>> => {
    before?.(items, asked.length);
    asked.push(`${offset}+${limit}`);
    const page = items.slice(offset, offset + Math.min(limit, cap));
    return { items: page, hasNextLink: page.length === Math.min(limit, cap) };
  };
  return { items, asked, fetchAt };
}

describe('readPagesAtOnce', () => {
  it('sends every page together, each starting on the last item of the one before, and ends on a short page', async () => {
    const l = listing(2099);
    const read = await readPagesAtOnce(l.fetchAt, 2100);
    expect(l.asked).toEqual(['0+1000', '999+1000', '1998+102']);
    expect(read!.ended).toBe(true);
    expect(read!.items.map((i) => i.id)).toEqual(l.items.map((i) => i.id));
  });

  it('reads exactly what is needed when the listing is longer, without claiming its end', async () => {
    const l = listing(5000);
    const read = await readPagesAtOnce(l.fetchAt, 1001);
    expect(l.asked).toEqual(['0+1000', '999+2']);
    expect(read).toEqual({ items: l.items.slice(0, 1001), ended: false });
  });

  it('gives up (null) when the pages do not line up: an item created or deleted between the reads', async () => {
    // A new item comes first before the second page is read: everything after it moves one place down.
    const created = listing(2500, 1000, (items, call) => {
      if (call === 1) items.unshift({ id: 'new' });
    });
    expect(await readPagesAtOnce(created.fetchAt, 2501)).toBeNull();
    const deleted = listing(2500, 1000, (items, call) => {
      if (call === 2) items.splice(10, 1);
    });
    expect(await readPagesAtOnce(deleted.fetchAt, 2501)).toBeNull();
  });

  it('gives up (null) on a server that caps pages below the size asked', async () => {
    const l = listing(3000, 500);
    expect(await readPagesAtOnce(l.fetchAt, 2001)).toBeNull();
  });
});

describe('CollectionSizes', () => {
  it('keys a project\'s sizes by its endpoint, apart for allProjects reads, and never holds the token', () => {
    const caller = { token: 'secret-token', requestId: 'req-1' };
    const key = CollectionSizes.ofProject('cinder', 'volumes', 'http://c/v3/p1', caller);
    expect(key).not.toContain('secret-token');
    expect(CollectionSizes.ofProject('cinder', 'volumes', 'http://c/v3/p1', { token: 'other', requestId: 'req-2' })).toBe(key);
    expect(CollectionSizes.ofProject('cinder', 'volumes', 'http://c/v3/p2', caller)).not.toBe(key);
    expect(CollectionSizes.ofProject('cinder', 'volumes', 'http://c/v3/p1', { ...caller, allProjects: true })).not.toBe(key);
  });

  it('keeps a size a plan used alive for up to ten minutes from when it was read, then lets it lapse', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const sizes = new CollectionSizes(60_000);
      sizes.record('k', 2099, true);
      for (let step = 1; step <= 12; step++) {
        vi.advanceTimersByTime(50_000); // up to ten minutes since it was read: kept
        sizes.keep('k');
        expect(sizes.exactly('k'), `${step * 50} s`).toBe(2099);
      }
      vi.advanceTimersByTime(50_000); // read 650 s ago: not kept, so it lapses a minute after the last keep
      sizes.keep('k');
      expect(sizes.exactly('k')).toBe(2099);
      vi.advanceTimersByTime(20_000);
      expect(sizes.atLeast('k')).toBe(0);
      // Unused, a size lapses after a minute as before.
      sizes.record('j', 10);
      vi.advanceTimersByTime(60_001);
      expect(sizes.atLeast('j')).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('tells an exact size from a lower bound; a truncated read within a known size keeps it exact', () => {
    const sizes = new CollectionSizes();
    sizes.record('k', 501);
    expect([sizes.atLeast('k'), sizes.exactly('k')]).toEqual([501, undefined]);
    sizes.record('k', 2099, true);
    sizes.record('k', 501);
    expect([sizes.atLeast('k'), sizes.exactly('k')]).toEqual([2099, 2099]);
    // More than the exact size once was: the collection grew, and only the bound is known now.
    sizes.record('k', 2500);
    expect([sizes.atLeast('k'), sizes.exactly('k')]).toEqual([2500, undefined]);
  });
});
