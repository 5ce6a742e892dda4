import DataLoader from 'dataloader';
import { Recent, collectionSizes, partition, settle, sharedListing } from './loaders.js';

// Above this many parents in one batch, one full listing partitioned locally is cheaper than one filtered
// listing per parent. The full listing is abandoned (back to per-parent calls) once it has read more than
// FULL_LISTING_BUDGET_PER_KEY items per parent asked for, so it never costs more than a bounded multiple.
const FULL_LISTING_MIN_KEYS = 2;
export const FULL_LISTING_BUDGET_PER_KEY = 50;
// The most a listing started before its parents are known may read on a guess: Cinder's and Manila's largest page.
const PREFETCH_MAX_ITEMS = 1000;
const ONE_UPSTREAM_PAGE = 1000;
// The most a listing whose cost is known may read before its parents are: Cinder's and Manila's listing bound.
const PREFETCH_KNOWN_MAX_ITEMS = 10_000;
/** A full listing is read for a batch (or ahead of it) only when this share of it, at least, is the batch's own. */
export const MIN_USEFUL_SHARE = 0.9;
/** The most filtered listings (one per parent) a batch sends instead of a mostly wasted full listing: one lane's worth. */
export const MAX_PER_PARENT_LISTINGS = 50;

/**
 * How many children a parent of a collection had, on average, in the last batch read (any caller of the same
 * project, under the collection's size key: a count, never data). With the collection's size it says how much of
 * a full listing a batch of N parents would use.
 */
const childrenPerParent = new Recent<number>(60_000, 10_000);

/** The children per parent last seen under `sizeKey` (undefined: not known). */
export function knownChildrenPerParent(sizeKey: string): number | undefined {
  return childrenPerParent.get(sizeKey);
}

/**
 * The share (0…1) of the full listing that `parents` parents' children are expected to be, from what the project's
 * listings cost last time; undefined while either the listing's size or the children per parent is unknown.
 */
export function expectedShare(sizeKey: string | undefined, parents: number): number | undefined {
  if (sizeKey === undefined) return undefined;
  const size = collectionSizes.atLeast(sizeKey);
  const perParent = childrenPerParent.get(sizeKey);
  if (size === 0 || perParent === undefined) return undefined;
  return Math.min(1, (parents * perParent) / size);
}

/**
 * How many items to read at once from the listing under `sizeKey`: as many as it held last time, one upstream page
 * more when that was only a lower bound; 0 when nothing is known.
 */
export function expectedListingSize(sizeKey: string): number {
  const atLeast = collectionSizes.atLeast(sizeKey);
  return collectionSizes.exactly(sizeKey) ?? (atLeast > 0 ? atLeast + ONE_UPSTREAM_PAGE : 0);
}

/** A listing read: `expected` is how many items the unfiltered listing held last time (0: not known). */
export type ChildListing<T> = (filters: Record<string, string> | undefined, maxItems: number, expected?: number) => Promise<T[]>;

/**
 * Children by parent id (volumes of a group, shares of a share group...) with a flat number of calls as the
 * number of parents grows: several parents in a batch share one full listing (bounded), one parent gets its
 * own filtered listing. Every child read is handed to `prime` for the by-id loaders.
 *
 * Where the upstream can filter by several parents at once (`many`), that exact read comes first whenever it
 * takes one call: it reads only what these parents hold, where a full listing may read 50 times as much.
 *
 * A full listing of which the batch would use less than MIN_USEFUL_SHARE (known from the project's size and
 * children per parent) is not read: the batch reads exactly (`many`), or up to MAX_PER_PARENT_LISTINGS filtered
 * listings, instead; only a batch of more parents than that, without `many`, still reads the full listing.
 *
 * `prefetch(parents)` starts the full listing before the parents are known (the root resolver of a page sees
 * from the query that their children will be wanted), so it travels with the page instead of after it. It is
 * the bounded read the batch would make for that many parents without `many`; the batch then uses it whenever
 * it is complete, even if fewer parents came back than were expected. With `many`, the prefetch reads ahead of
 * what the exact read would: its caller weighs that against the round trip it saves (`worthReadingAhead`).
 */
export function childrenByParent<T extends { id: string }>(
  list: ChildListing<T>,
  filterKey: string,
  parentOf: (t: T) => string | null | undefined,
  prime: (t: T) => void,
  /** CollectionSizes key: when given, a collection known to be over budget is not probed again. */
  sizeKey?: string,
  /**
   * The children of several parents in bounded, filtered reads of up to `perCall` parents each (Cinder volumes:
   * `group_id` takes a list); `read` resolves to null when it cannot answer these parents for sure.
   */
  many?: { read: (parentIds: readonly string[]) => Promise<Map<string, T[]> | null>; perCall: number },
  /**
   * Plan from what the listing cost last time (its size and children per parent) and read no full listing a
   * batch would mostly throw away. For listings keyed by project (`CollectionSizes.ofProject`), which every new
   * caller of the project benefits from.
   */
  spareWaste = false,
) {
  const knownSize = () => (sizeKey === undefined ? 0 : collectionSizes.atLeast(sizeKey));
  const full = sharedListing((max) => list(undefined, max, sizeKey === undefined ? 0 : expectedListingSize(sizeKey)));
  let prefetchedMax = 0;
  // Filtered listings started before the batch, for parents guessed from the last read of the same page.
  const early = new Map<string, Promise<T[]>>();
  const knownOver = (budget: number) => sizeKey !== undefined && collectionSizes.atLeast(sizeKey) > budget;
  // Known to be mostly other parents' children: a full listing for `parents` would mostly be thrown away.
  const shareOf = (parents: number) => (spareWaste ? expectedShare(sizeKey, parents) : undefined);
  const mostlyWaste = (parents: number) => (shareOf(parents) ?? 1) < MIN_USEFUL_SHARE;
  // Only the children handed out are primed: the rest of a full listing is rarely asked for by id.
  const handOut = (parentIds: readonly string[], byParent: Map<string, T[]>) => {
    let count = 0;
    const out = parentIds.map((id) => {
      const kids = byParent.get(id) ?? [];
      kids.forEach(prime);
      count += kids.length;
      return kids;
    });
    if (sizeKey !== undefined) childrenPerParent.set(sizeKey, count / parentIds.length);
    return out;
  };
  const oneByOne = (parentIds: readonly string[]) =>
    settle(
      parentIds.map(async (id) => {
        const started = early.get(id);
        early.delete(id);
        const items = await (started ?? list({ [filterKey]: id }, 10_000));
        items.forEach(prime);
        return items;
      }),
    ).then((out) => {
      const counts = out.filter((r): r is T[] => Array.isArray(r)).map((r) => r.length);
      if (sizeKey !== undefined && counts.length > 0) childrenPerParent.set(sizeKey, counts.reduce((a, b) => a + b, 0) / counts.length);
      return out;
    });
  const loader = new DataLoader<string, T[]>(async (parentIds) => {
    const budget = parentIds.length * FULL_LISTING_BUDGET_PER_KEY;
    // A listing started ahead of the page is this batch's plan: it is on its way already.
    const prefetched = prefetchedMax > 0;
    const several = parentIds.length >= FULL_LISTING_MIN_KEYS;
    const sparing = several && !prefetched && mostlyWaste(parentIds.length);
    if (sparing) collectionSizes.keep(sizeKey!);
    const exactFirst = several && many !== undefined && !prefetched && (parentIds.length <= many.perCall || sparing);
    if (exactFirst) {
      const exact = await many.read(parentIds);
      if (exact) return handOut(parentIds, exact);
    }
    if (sparing && parentIds.length <= MAX_PER_PARENT_LISTINGS) return oneByOne(parentIds);
    if ((several && !knownOver(budget)) || prefetched) {
      const maxRead = Math.max(budget + 1, prefetchedMax);
      const all = await full(maxRead);
      if (sizeKey !== undefined) collectionSizes.record(sizeKey, all.length, all.length < maxRead);
      // Complete (shorter than the read allowed): it holds every child of these parents.
      if (all.length < maxRead) return handOut(parentIds, partition(all, parentIds, parentOf));
    }
    const together = several && many && !exactFirst ? await many.read(parentIds) : null;
    if (together) return handOut(parentIds, together);
    return oneByOne(parentIds);
  });
  return Object.assign(loader, {
    /** How many items a prefetch for `parents` would read at most: the budget, or less when the size is known. */
    aheadItems(parents: number): number {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      const known = knownSize();
      return known > 0 ? Math.min(known, budget) : budget;
    },
    /**
     * Starts the full listing for a batch of up to `parents` parents now, when the planner would choose it. The
     * parents are not known yet (a page may come back shorter than asked): on a guess (the project's listing cost
     * not known), only a listing whose budget fits in one upstream page (PREFETCH_MAX_ITEMS) is started early;
     * when its cost is known, a listing these parents would mostly use, up to PREFETCH_KNOWN_MAX_ITEMS, whatever
     * the page's size, and never one they would mostly throw away, except for a page this caller is `reloading`
     * (read within the minute): a screen reloaded is served with the fewest calls, as its CPU is what a busy
     * facade spends most of its time on, while a new caller's is served with the fewest bytes.
     */
    prefetch(parents: number, reloading = false): void {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      if (parents < FULL_LISTING_MIN_KEYS || knownOver(budget) || prefetchedMax > 0) return;
      const share = shareOf(parents);
      const exact = sizeKey === undefined || !spareWaste ? undefined : collectionSizes.exactly(sizeKey);
      const wasteful = share !== undefined && share < MIN_USEFUL_SHARE;
      // Known to be mostly other parents' children: the batch reads exactly after the page instead.
      if (wasteful && !reloading) return;
      // What the listing held last time bounds the read, with room for what was created since; without it, the
      // read is a guess, kept to one upstream page.
      const max = exact === undefined ? budget : Math.min(budget, exact + FULL_LISTING_BUDGET_PER_KEY);
      if (max > (exact === undefined || share === undefined || wasteful ? PREFETCH_MAX_ITEMS : PREFETCH_KNOWN_MAX_ITEMS)) return;
      prefetchedMax = max + 1;
      full(prefetchedMax).catch(() => {});
    },
    /**
     * Parents expected on a page that is on its way (those it held when last read): when the collection is known
     * to be over budget for them, the batch would read one filtered listing per parent once the page is in; start
     * those now. A parent the page no longer holds wastes its read; one it newly holds is read in the batch.
     * Returns whether it started anything (otherwise `prefetch(n, true)` is the plan).
     */
    prefetchParents(parentIds: readonly string[]): boolean {
      const n = parentIds.length;
      if (n < FULL_LISTING_MIN_KEYS || !knownOver(n * FULL_LISTING_BUDGET_PER_KEY)) return false;
      for (const id of parentIds) {
        if (early.has(id)) continue;
        const started = list({ [filterKey]: id }, 10_000);
        started.catch(() => {});
        early.set(id, started);
      }
      return true;
    },
  });
}

/** Forgets what the project's listing under `sizeKey` cost (its size and children per parent): tests start cold. */
export function forgetListingCosts(sizeKey: string): void {
  collectionSizes.forget(sizeKey);
  childrenPerParent.delete(sizeKey);
}
