// A batch reads a full listing only when it is expected to use most of it (issue 19, item 3): with the project's
// count of parents known, a batch of a few of them reads exactly (a filter naming them, or one listing each), and
// a caller with no guess of its page reads nothing ahead of it that the batch would not read whole.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MOSTLY_USED, childrenByParent, forgetListingCosts, perParentCallsAtOnce } from '../../src/upstreams/children.js';
import { collectionSizes } from '../../src/upstreams/loaders.js';

interface Kid {
  id: string;
  parent: string;
}

const KIDS = 'test:kids@http://upstream/v3/project';
const PARENTS = 'test:parents@http://upstream/v3/project';

/** Two kids for each of `parents` parents p0, p1, …, recording every listing asked of it. */
function project(parents: number) {
  const kids: Kid[] = Array.from({ length: parents * 2 }, (_, i) => ({ id: `k${i}`, parent: `p${Math.floor(i / 2)}` }));
  const calls: string[] = [];
  const list = async (filters: Record<string, string> | undefined, max: number) => {
    calls.push(filters ? `parent=${filters.parent}` : `all max=${max}`);
    return (filters ? kids.filter((k) => k.parent === filters.parent) : kids).slice(0, max);
  };
  /** `group_id=[...]` as Cinder's volumes: up to 50 parents a call. */
  const many = {
    perCall: 50,
    read: async (ids: readonly string[]) => {
      const out = new Map<string, Kid[]>();
      for (let i = 0; i < ids.length; i += 50) {
        const chunk = ids.slice(i, i + 50);
        calls.push(`parents=${chunk.length}`);
        for (const id of chunk) out.set(id, kids.filter((k) => k.parent === id));
      }
      return out;
    },
  };
  return { calls, list, many };
}

const parents = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
type Project = ReturnType<typeof project>;
const loaderOf = (p: Project, withMany = false, lane?: number) =>
  childrenByParent<Kid>(p.list, 'parent', (k) => k.parent, () => {}, { sizeKey: KIDS, many: withMany ? p.many : undefined, parentsKey: PARENTS, lane });
// A request's lane at the default UPSTREAM_MAX_CONNECTIONS (64): 50 per-parent calls beside the page's other reads.
const PER_PARENT_CALLS_AT_ONCE = perParentCallsAtOnce(64);

describe('childrenByParent with the project\'s count of parents', () => {
  afterEach(() => {
    forgetListingCosts(KIDS);
    forgetListingCosts(PARENTS);
  });

  it('learns how many parents the project holds at least from a full listing, and plans from it', async () => {
    const p = project(50);
    const first = loaderOf(p);
    expect(first.readsWholeFor(10)).toBe(true); // nothing known yet: the budget rule alone
    await first.loadMany(parents(10));
    expect(p.calls).toEqual(['all max=501']);
    expect(collectionSizes.atLeast(PARENTS)).toBe(50);

    p.calls.length = 0;
    const next = loaderOf(p); // another request, another caller of the project
    expect(next.readsWholeFor(10)).toBe(false);
    const kids = await next.loadMany(parents(10));
    expect(kids.flat()).toHaveLength(20);
    expect(p.calls).toEqual(parents(10).map((id) => `parent=${id}`));
  });

  it('reads the full listing for a batch expected to use at least 90 % of it', async () => {
    collectionSizes.record(PARENTS, 50);
    const p = project(50);
    const mostly = Math.ceil(MOSTLY_USED * 50);
    const loader = loaderOf(p);
    expect(loader.readsWholeFor(mostly)).toBe(true);
    expect(loader.readsWholeFor(mostly - 1)).toBe(false);
    expect((await loader.loadMany(parents(mostly))).flat()).toHaveLength(2 * mostly);
    expect(p.calls).toEqual([`all max=${mostly * 50 + 1}`]);
  });

  it('past the per-parent calls one round trip holds, the full listing after all (no filter naming several parents)', async () => {
    collectionSizes.record(PARENTS, 1000);
    const p = project(1000);
    const loader = loaderOf(p);
    expect(loader.readsWholeFor(PER_PARENT_CALLS_AT_ONCE)).toBe(false);
    expect(loader.readsWholeFor(PER_PARENT_CALLS_AT_ONCE + 1)).toBe(true);
    const n = PER_PARENT_CALLS_AT_ONCE + 1;
    expect((await loader.loadMany(parents(n))).flat()).toHaveLength(2 * n);
    expect(p.calls).toEqual([`all max=${n * 50 + 1}`]);
  });

  it('in a lane of 128 calls (UPSTREAM_MAX_CONNECTIONS=128), 100 of 1000 parents get a filtered listing each', async () => {
    collectionSizes.record(PARENTS, 1000);
    const p = project(1000);
    const loader = loaderOf(p, false, 128);
    expect(PER_PARENT_CALLS_AT_ONCE).toBe(50);
    expect(loader.readsWholeFor(100)).toBe(false);
    expect((await loader.loadMany(parents(100))).flat()).toHaveLength(200);
    expect(p.calls).toHaveLength(100);
    expect(p.calls.every((c) => c.startsWith('parent='))).toBe(true);
  });

  it('with a filter naming several parents: 100 of 1000 parents are read exactly, 50 a call', async () => {
    collectionSizes.record(PARENTS, 1000);
    const p = project(1000);
    const loader = loaderOf(p, true);
    expect(loader.readsWholeFor(100)).toBe(false);
    expect((await loader.loadMany(parents(100))).flat()).toHaveLength(200);
    expect(p.calls).toEqual(['parents=50', 'parents=50']);
  });

  it('a full listing naming as many parents as known proves the count again: it is kept another minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const p = project(50);
      await loaderOf(p).loadMany(parents(50)); // learns: at least 50 parents
      vi.setSystemTime(Date.now() + 50_000);
      await loaderOf(p).loadMany(parents(50)); // the same 50 named again
      vi.setSystemTime(Date.now() + 50_000);
      expect(collectionSizes.atLeast(PARENTS)).toBe(50);
      vi.setSystemTime(Date.now() + 20_000);
      expect(collectionSizes.atLeast(PARENTS)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a listing read ahead is still used by the batch, whatever share of it the batch uses', async () => {
    collectionSizes.record(PARENTS, 50);
    const p = project(50);
    const loader = loaderOf(p);
    loader.prefetch(10);
    await loader.loadMany(parents(10));
    expect(p.calls).toEqual(['all max=501']);
  });
});

// Byzantine-upstream probe of 2026-12-08: a one-parent filtered listing was handed out as it came, so an upstream
// that dropped the filter gave a group another group's volumes (and, for an admin reading across projects, another
// project's); a partitioned listing kept each child to its parent already.
describe("a parent's own filtered listing", () => {
  it("keeps only the children of that parent, whatever the upstream answered", async () => {
    const kids: Kid[] = [{ id: 'a', parent: 'p0' }, { id: 'b', parent: 'p1' }, { id: 'c', parent: 'p0' }];
    const ignoresFilter = async () => kids; // the filter dropped
    const loader = childrenByParent<Kid>(ignoresFilter, 'parent', (k) => k.parent, () => {});
    expect((await loader.load('p0')).map((k) => k.id)).toEqual(['a', 'c']);
    expect((await loader.load('p1')).map((k) => k.id)).toEqual(['b']);
  });
});
