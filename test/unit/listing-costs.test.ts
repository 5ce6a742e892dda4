// The planner plans from what the project's listing held last time (issue 19, item 3): a listing known to be over
// a page's budget is not read ahead (no speculative read thrown away whole), and one within it leaves with the
// page whatever the page's size, bounded by the size it had.
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
const loaderOf = (c: ReturnType<typeof collection>) => childrenByParent<Kid>(c.list, 'parent', (k) => k.parent, () => {}, { sizeKey: KEY });

describe('childrenByParent planning from the project\'s listing size', () => {
  afterEach(() => forgetListingCosts(KEY));

  it('a listing found over the budget is not read ahead again: the next batch reads one listing per parent', async () => {
    const c = collection(2000);
    const first = loaderOf(c);
    first.prefetch(10); // nothing known: the full listing on a guess, found over budget
    expect((await first.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls.filter((x) => x.startsWith('all'))).toEqual(['all max=501 expected=0']);

    c.calls.length = 0;
    const next = loaderOf(c); // another request (a new caller of the same project)
    next.prefetch(10);
    expect(c.calls).toEqual([]);
    expect((await next.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls).toEqual(parents(10).map((p) => `parent=${p}`));
  });

  it('a listing within the budget leaves with the page, bounded by the size it had, whatever the page size', async () => {
    const c = collection(2000);
    await loaderOf(c).loadMany(parents(1000)); // learns: exactly 2000
    c.calls.length = 0;
    const next = loaderOf(c);
    next.prefetch(1000);
    expect(c.calls).toEqual(['all max=2051 expected=2000']);
    expect((await next.loadMany(parents(950))).flat()).toHaveLength(1900);
    expect(c.calls).toHaveLength(1);
  });

  it('a small listing is read with the page even when the page uses a fifth of it (one call, not one per parent)', async () => {
    const c = collection(100);
    await loaderOf(c).loadMany(parents(10)); // learns: exactly 100
    c.calls.length = 0;
    const next = loaderOf(c);
    next.prefetch(10);
    expect((await next.loadMany(parents(10))).flat()).toHaveLength(20);
    expect(c.calls).toEqual(['all max=151 expected=100']);
  });
});
