// The planner plans from what a project's listing cost last time (issue 19, item 3): a full listing a batch would
// mostly throw away is not read, ahead of the page or after it; one it would mostly use leaves with the page,
// bounded by the size it had.
import { afterEach, describe, expect, it } from 'vitest';
import { childrenByParent, forgetListingCosts } from '../../src/upstreams/children.js';

interface Kid {
  id: string;
  parent: string;
}

const KEY = 'test:kids@http://upstream/v3/project';

/** `size` kids spread two per parent over p0, p1, …, recording every listing asked of it. */
function collection(size: number) {
  const kids: Kid[] = Array.from({ length: size }, (_, i) => ({ id: `k${i}`, parent: `p${Math.floor(i / 2)}` }));
  const calls: string[] = [];
  const list = async (filters: Record<string, string> | undefined, max: number, expected?: number) => {
    calls.push(filters ? `parent=${filters.parent}` : `all max=${max} expected=${expected ?? 0}`);
    return (filters ? kids.filter((k) => k.parent === filters.parent) : kids).slice(0, max);
  };
  return { calls, list };
}

const parents = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
const loaderOf = (c: ReturnType<typeof collection>, spareWaste = true) =>
  childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {}, KEY, undefined, spareWaste);

describe('childrenByParent planning from the listing\'s last cost', () => {
  afterEach(() => forgetListingCosts(KEY));

  it('learns the size and the children per parent, then reads one listing per parent instead of a mostly wasted full one', async () => {
    const c = collection(200);
    const first = loaderOf(c);
    first.prefetch(10); // nothing known: the full listing on a guess
    expect((await first.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls).toEqual(['all max=501 expected=0']);

    c.calls.length = 0;
    const next = loaderOf(c);
    next.prefetch(10); // 10 parents would use 20 of 200: not read ahead
    expect(c.calls).toEqual([]);
    expect((await next.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls).toEqual(parents(10).map((p) => `parent=${p}`));
  });

  it('a page the caller is reloading gets the full listing with it all the same: the fewest calls for a warm screen', async () => {
    const c = collection(200);
    await loaderOf(c).loadMany(parents(10)); // learns: 200 kids, 2 per parent
    c.calls.length = 0;
    const reloaded = loaderOf(c);
    reloaded.prefetch(10, true);
    expect(c.calls).toEqual(['all max=251 expected=200']);
    expect((await reloaded.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls).toHaveLength(1);
  });

  it('a page that would use most of the listing gets it with the page, bounded by the size it had, whatever the page size', async () => {
    const c = collection(2000);
    await loaderOf(c).loadMany(parents(1000)); // learns: 2000 kids, 2 per parent
    c.calls.length = 0;
    const next = loaderOf(c);
    next.prefetch(1000);
    expect(c.calls).toEqual(['all max=2051 expected=2000']);
    expect((await next.loadMany(parents(950))).flat()).toHaveLength(1900);
    expect(c.calls).toHaveLength(1);
  });

  it('without spareWaste (listings keyed per caller), plans as before', async () => {
    const c = collection(200);
    await loaderOf(c, false).loadMany(parents(10));
    c.calls.length = 0;
    const next = loaderOf(c, false);
    next.prefetch(10);
    expect(c.calls).toEqual(['all max=501 expected=200']);
  });
});
