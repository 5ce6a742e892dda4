// The planner's building blocks (issue 5): prefetching a full listing with the page that will need it, and what
// happens when that listing turns out too big or fails.
import { describe, expect, it } from 'vitest';
import { childrenByParent } from '../../src/upstreams/children.js';
import { byIdLoader, once } from '../../src/upstreams/loaders.js';

interface Kid {
  id: string;
  parent: string;
}

/** A fake collection of `size` kids spread over parents p0..p9, recording every listing asked of it. */
function collection(size: number) {
  const kids: Kid[] = Array.from({ length: size }, (_, i) => ({ id: `k${i}`, parent: `p${i % 10}` }));
  const calls: string[] = [];
  const list = async (filters: Record<string, string> | undefined, max: number) => {
    calls.push(filters ? `parent=${filters.parent}` : `all max=${max}`);
    const hits = filters ? kids.filter((k) => k.parent === filters.parent) : kids;
    return hits.slice(0, max);
  };
  return { calls, list };
}

describe('childrenByParent.prefetch', () => {
  it('starts the full listing before the batch, and the batch uses it without another call', async () => {
    const c = collection(40);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {});
    loader.prefetch(10);
    expect(c.calls).toEqual(['all max=501']);
    const kids = await Promise.all(['p0', 'p1', 'p2'].map((p) => loader.load(p)));
    expect(kids.map((k) => k.length)).toEqual([4, 4, 4]);
    expect(c.calls).toEqual(['all max=501']);
  });

  it('a complete prefetched listing answers even one parent; a truncated one leaves it its filtered listing', async () => {
    const small = collection(40);
    const a = childrenByParent<Kid>(small.list, 'parent', (k) => k.parent, () => {});
    a.prefetch(10);
    expect((await a.load('p3')).map((k) => k.id)).toEqual(['k3', 'k13', 'k23', 'k33']);
    expect(small.calls).toEqual(['all max=501']);

    const big = collection(2000);
    const b = childrenByParent<Kid>(big.list, 'parent', (k) => k.parent, () => {});
    b.prefetch(10);
    expect(await b.load('p3')).toHaveLength(200);
    expect(big.calls).toEqual(['all max=501', 'parent=p3']);
  });

  it('starts early only a listing whose budget fits in one upstream page', async () => {
    const c = collection(3000);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {});
    loader.prefetch(100); // 100 parents would allow 5000 items: more than one page, on a guess
    expect(c.calls).toEqual([]);
    loader.prefetch(20);
    expect(c.calls).toEqual(['all max=1001']);
    const kids = await loader.loadMany(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9', ...Array.from({ length: 90 }, (_, i) => `q${i}`)]);
    expect((kids[0] as Kid[]).length).toBe(300);
    expect(c.calls).toEqual(['all max=1001', 'all max=5001']);
  });

  it('does not prefetch for one parent', async () => {
    const c = collection(40);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {});
    loader.prefetch(1);
    expect(c.calls).toEqual([]);
  });
});

describe('childrenByParent with an exact read of several parents', () => {
  /** `many` as Cinder's `group_id=[...]`: the kids of up to `perCall` parents in one call, recorded. */
  function exact(c: ReturnType<typeof collection>, kids: Kid[], answers = true) {
    return {
      perCall: 3,
      read: async (ids: readonly string[]) => {
        c.calls.push(`parents=${ids.join(',')}`);
        if (!answers) return null;
        return new Map(ids.map((id) => [id, kids.filter((k) => k.parent === id)]));
      },
    };
  }
  const kidsOf = (size: number) => Array.from({ length: size }, (_, i) => ({ id: `k${i}`, parent: `p${i % 10}` }));

  it('reads exactly the parents asked for when that takes one call, even where the full listing would fit', async () => {
    const c = collection(40);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {}, { many: exact(c, kidsOf(40)) });
    const kids = await loader.loadMany(['p0', 'p1', 'p2']);
    expect(kids.map((k) => (k as Kid[]).length)).toEqual([4, 4, 4]);
    expect(c.calls).toEqual(['parents=p0,p1,p2']);
  });

  it('more parents than one exact call holds: the bounded full listing first, the exact reads when it is over budget', async () => {
    const small = collection(40);
    const a = childrenByParent<Kid>(small.list, 'parent', (k) => k.parent, () => {}, { many: exact(small, kidsOf(40)) });
    await a.loadMany(['p0', 'p1', 'p2', 'p3']);
    expect(small.calls).toEqual(['all max=201']);

    const big = collection(2000);
    const b = childrenByParent<Kid>(big.list, 'parent', (k) => k.parent, () => {}, { many: exact(big, kidsOf(2000)) });
    const kids = await b.loadMany(['p0', 'p1', 'p2', 'p3']);
    expect(kids.map((k) => (k as Kid[]).length)).toEqual([200, 200, 200, 200]);
    expect(big.calls).toEqual(['all max=201', 'parents=p0,p1,p2,p3']);
  });

  it('an exact read that cannot answer leaves the full listing, then one listing per parent', async () => {
    const c = collection(2000);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {}, { many: exact(c, [], false) });
    await loader.loadMany(['p0', 'p1']);
    expect(c.calls).toEqual(['parents=p0,p1', 'all max=101', 'parent=p0', 'parent=p1']);
  });

  it('a prefetched full listing is used instead of the exact read', async () => {
    const c = collection(40);
    const loader = childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {}, { many: exact(c, kidsOf(40)) });
    loader.prefetch(10);
    await loader.loadMany(['p0', 'p1']);
    expect(c.calls).toEqual(['all max=501']);
  });
});

describe('byIdLoader with a prefetched listing', () => {
  it('answers one id from the listing once it was prefetched, and falls back to a show when it failed', async () => {
    const shows: string[] = [];
    const show = async (id: string) => {
      shows.push(id);
      return { id, name: `shown ${id}` };
    };
    const good = once(async () => [{ id: 't1', name: 'listed t1' }]);
    const a = byIdLoader(show, async () => new Map((await good.get()).map((t) => [t.id, t])), () => good.started);
    expect(await a.load('t1')).toEqual({ id: 't1', name: 'shown t1' }); // not prefetched: a show
    good.prefetch();
    a.clearAll();
    expect(await a.load('t1')).toEqual({ id: 't1', name: 'listed t1' });
    expect(shows).toEqual(['t1']);

    const bad = once(async (): Promise<{ id: string; name: string }[]> => {
      throw new Error('listing refused');
    });
    bad.prefetch(); // never an unhandled rejection
    const b = byIdLoader(show, async () => new Map((await bad.get()).map((t) => [t.id, t])), () => bad.started);
    expect(await b.load('t2')).toEqual({ id: 't2', name: 'shown t2' });
    // Several ids keep the listing's error: a listing that should have answered them failed.
    await expect(b.loadMany(['t3', 't4'])).resolves.toEqual([new Error('listing refused'), new Error('listing refused')]);
  });
});
