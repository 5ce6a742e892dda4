import DataLoader from 'dataloader';
import { collectionSizes, partition, settle, sharedListing } from './loaders.js';
import { DEFAULT_MAX_CONNECTIONS } from './resilience.js';
import type { Caller } from './caller.js';

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
// A full listing is read for a batch only when the batch is expected to use this share of it: at most a tenth of
// what is read thrown away. Below it, exact reads (a filter naming the parents) once the parents are known.
export const MOSTLY_USED = 0.9;
// One filtered listing per parent takes one round trip only while they fit in the request's lane (as many calls
// as the agent has connections to the host, UPSTREAM_MAX_CONNECTIONS) beside the page's other reads.
const OTHER_READS_OF_A_PAGE = 14;
/** How many parents' filtered listings one round trip holds, in a lane of `lane` calls (50 in the default 64). */
export function perParentCallsAtOnce(lane: number): number {
  return Math.max(1, lane - OTHER_READS_OF_A_PAGE);
}

/** How a batch of parents' children is read (see childrenByParent). */
export interface ChildrenPlan<T> {
  /** CollectionSizes key: when given, a collection known to be over budget is not probed again. */
  sizeKey?: string;
  /**
   * The children of several parents in bounded, filtered reads of up to `perCall` parents each (Cinder volumes:
   * `group_id` takes a list); `read` resolves to null when it cannot answer these parents for sure.
   */
  many?: { read: (parentIds: readonly string[]) => Promise<Map<string, T[]> | null>; perCall: number };
  /** CollectionSizes key of the parents (the project's groups): how much of a full listing a batch would use. */
  parentsKey?: string;
  /** Calls one request may have in flight to this upstream at once (its client's bulkhead); default 64. */
  lane?: number;
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
 * `prefetch(parents)` starts the full listing before the parents are known (the root resolver of a page sees
 * from the query that their children will be wanted), so it travels with the page instead of after it. It is
 * the bounded read the batch would make for that many parents without `many`; the batch then uses it whenever
 * it is complete, even if fewer parents came back than were expected. With `many`, the prefetch reads ahead of
 * what the exact read would: its caller weighs that against the round trip it saves (`worthReadingAhead`).
 * The sizes that decide it are the project's (any caller's last read), so a new token reads no listing its
 * project is known to hold too much of, and no speculative read is thrown away whole. With the project's count of
 * parents (`parentsKey`), a batch reads the full listing only when it is expected to use MOSTLY_USED of it (or
 * per-parent reads would not fit in one round trip); otherwise its exact reads, and nothing is read ahead for a
 * caller with no guess of its page (`readsWholeFor`).
 */
export function childrenByParent<T extends { id: string }>(
  list: ChildListing<T>,
  filterKey: string,
  parentOf: (t: T) => string | null | undefined,
  prime: (t: T) => void,
  plan: ChildrenPlan<T> = {},
) {
  const { sizeKey, many, parentsKey } = plan;
  const perParentAtOnce = perParentCallsAtOnce(plan.lane ?? DEFAULT_MAX_CONNECTIONS);
  const knownSize = () => (sizeKey === undefined ? 0 : collectionSizes.atLeast(sizeKey));
  /**
   * Whether a batch of `n` parents is expected to use at least MOSTLY_USED of the full listing: n of the parents
   * the project is known to hold at least (children spread evenly; a lower bound only makes it read more). Yes
   * while that count is not known: the budget rule alone decides, as for a project never read.
   */
  const mostlyUsed = (n: number): boolean => {
    const parents = parentsKey === undefined ? 0 : collectionSizes.atLeast(parentsKey);
    if (parents === 0 || n >= MOSTLY_USED * parents) return true;
    // The count just spared a listing: keep it while the project is in use (as the sizes are kept).
    collectionSizes.keep(parentsKey!);
    return false;
  };
  // Sizes only: the project holds at least as many parents as a listing of their children names.
  const learnParents = (items: T[]) => {
    if (parentsKey === undefined) return;
    const named = new Set<string>();
    for (const t of items) {
      const p = parentOf(t);
      if (p) named.add(p);
    }
    // At least as many as known: recorded afresh, unless the known count is exact (record keeps an exact count
    // that a lower bound does not exceed, and its minute with it).
    if (named.size >= collectionSizes.atLeast(parentsKey)) collectionSizes.record(parentsKey, named.size);
  };
  // With nothing on its way, what a batch of `n` parents reads whole: a listing it mostly uses, or one whose
  // per-parent reads would take more than one round trip (no exact read of several parents).
  const readsWhole = (n: number) => mostlyUsed(n) || (many === undefined && n > perParentAtOnce);
  const full = sharedListing((max) => list(undefined, max, sizeKey === undefined ? 0 : expectedListingSize(sizeKey)));
  let prefetchedMax = 0;
  // Filtered listings started before the batch, for parents guessed from the last read of the same page.
  const early = new Map<string, Promise<T[]>>();
  const knownOver = (budget: number) => sizeKey !== undefined && collectionSizes.atLeast(sizeKey) > budget;
  // Only the children handed out are primed: the rest of a full listing is rarely asked for by id.
  const handOut = (parentIds: readonly string[], byParent: Map<string, T[]>) =>
    parentIds.map((id) => {
      const kids = byParent.get(id) ?? [];
      kids.forEach(prime);
      return kids;
    });
  const loader = new DataLoader<string, T[]>(async (parentIds) => {
    const budget = parentIds.length * FULL_LISTING_BUDGET_PER_KEY;
    // A listing started ahead of the page is this batch's plan: it is on its way already.
    const prefetched = prefetchedMax > 0;
    const several = parentIds.length >= FULL_LISTING_MIN_KEYS;
    // A listing the batch would mostly throw away is not read: the exact reads of these parents instead.
    const sparing = several && !prefetched && !readsWhole(parentIds.length);
    const exactFirst = several && many !== undefined && !prefetched && (parentIds.length <= many.perCall || sparing);
    if (exactFirst) {
      const exact = await many.read(parentIds);
      if (exact) return handOut(parentIds, exact);
    }
    if (!sparing && ((several && !knownOver(budget)) || prefetched)) {
      const maxRead = Math.max(budget + 1, prefetchedMax);
      const { items: all, complete } = await full(maxRead);
      if (sizeKey !== undefined) collectionSizes.record(sizeKey, all.length, complete);
      learnParents(all);
      // Complete (shorter than its read was sent for, which may be more than maxRead): every child of these parents.
      if (complete) return handOut(parentIds, partition(all, parentIds, parentOf));
    } else if (several && sizeKey !== undefined) {
      // The known size spared the probe (or a page that reads whole will want it): keep it while the project is in use.
      collectionSizes.keep(sizeKey);
    }
    const together = several && many && !exactFirst ? await many.read(parentIds) : null;
    if (together) return handOut(parentIds, together);
    return settle(
      parentIds.map(async (id) => {
        const started = early.get(id);
        early.delete(id);
        // Kept to its parent, as a partitioned listing is: an upstream that dropped the filter hands out nothing of another object.
        const items = (await (started ?? list({ [filterKey]: id }, 10_000))).filter((t) => parentOf(t) === id);
        items.forEach(prime);
        return items;
      }),
    );
  });
  return Object.assign(loader, {
    /** How many items a prefetch for `parents` would read at most: the budget, or less when the size is known. */
    aheadItems(parents: number): number {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      const known = knownSize();
      return known > 0 ? Math.min(known, budget) : budget;
    },
    /**
     * Whether a batch of up to `parents` parents, with nothing read ahead, would read the full listing (see
     * `readsWhole`): only then is reading it ahead of the page, for a caller with no guess of its parents, not
     * a read made mostly to be thrown away.
     */
    readsWholeFor(parents: number): boolean {
      return parents >= FULL_LISTING_MIN_KEYS && readsWhole(parents);
    },
    /**
     * Starts the full listing for a batch of up to `parents` parents now, when the planner would choose it. The
     * parents are not known yet (a page may come back shorter than asked): on a guess (the listing's size not
     * known exactly), only a listing whose budget fits in one upstream page (PREFETCH_MAX_ITEMS) is started
     * early; a listing whose size is known, within the budget, is read whole up to PREFETCH_KNOWN_MAX_ITEMS,
     * whatever the page's size (its upstream pages at once), bounded by what it held last time.
     */
    prefetch(parents: number): void {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      if (parents < FULL_LISTING_MIN_KEYS || knownOver(budget) || prefetchedMax > 0) return;
      const exact = sizeKey === undefined ? undefined : collectionSizes.exactly(sizeKey);
      // Room for what was created since it was read.
      const max = exact === undefined ? budget : Math.min(budget, exact + FULL_LISTING_BUDGET_PER_KEY);
      if (max > (exact === undefined ? PREFETCH_MAX_ITEMS : PREFETCH_KNOWN_MAX_ITEMS)) return;
      prefetchedMax = max + 1;
      full(prefetchedMax).catch(() => {});
    },
    /**
     * Parents expected on a page that is on its way (those it held when last read): when the collection is known
     * to be over budget for them, the batch would read one filtered listing per parent once the page is in; start
     * those now. A parent the page no longer holds wastes its read; one it newly holds is read in the batch.
     * Returns whether it started anything (otherwise `prefetch` is the plan).
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
    /**
     * Reads ahead for a page of up to `parents` parents on its way. With `lastIds` (the parents this caller's same
     * page held when last read): their own listings where the batch would read per parent, else the full listing
     * (a reloaded page: the fewest calls). Without: the full listing only where the page should use most of it.
     */
    prefetchPage(parents: number, lastIds?: readonly string[]): void {
      if (lastIds ? this.prefetchParents(lastIds) : !this.readsWholeFor(parents)) return;
      this.prefetch(parents);
    },
  });
}

/** Forgets what is known of the size of the listing under `sizeKey`: tests start cold. */
export function forgetListingCosts(sizeKey: string): void {
  collectionSizes.forget(sizeKey);
}

/**
 * Whether an object of `project` belongs to another project than the caller's `own`: only an admin's lookup by id
 * holds one, and a project-scoped listing of its children would be silently empty. Unknown either way: the own.
 */
export function ofOtherProject(project: string | null | undefined, own: string | null | undefined): boolean {
  return !!project && !!own && project !== own;
}

/** The project in a client's endpoint (`read`), standing for the caller's own without Keystone; none: undefined. */
export function endpointProjectOf(read: () => string): string | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** The same caller reading across projects (`all_tenants`): only ever with a filter naming one parent. */
export function acrossProjects(caller: Caller): Caller {
  return caller.allProjects ? caller : { ...caller, allProjects: true };
}

/**
 * Children of parents of another project (see ofOtherProject): one listing per parent, read across projects and
 * filtered to that parent, so nothing of any other object comes back. The project's planner sizes and read-ahead
 * are left alone: these reads say nothing of the caller's own project.
 */
export function childrenAcrossProjects<T>(list: (parentId: string) => Promise<T[]>, prime: (t: T) => void): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>((parentIds) =>
    settle(
      parentIds.map(async (id) => {
        const items = await list(id);
        items.forEach(prime);
        return items;
      }),
    ),
  );
}
