import { createHash } from 'node:crypto';
import DataLoader from 'dataloader';
import { FacadeError } from '../errors.js';
import type { Caller } from './caller.js';

/** Resolves to null when the upstream says the object does not exist; any other failure stays an error. */
export async function nullIfNotFound<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof FacadeError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}

/** Settles every promise; a rejected one becomes its Error, as DataLoader batch functions must return. */
export async function settle<T>(promises: Promise<T>[]): Promise<(T | Error)[]> {
  const results = await Promise.allSettled(promises);
  return results.map((r) => (r.status === 'fulfilled' ? r.value : toError(r.reason)));
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * A by-id loader for an API without a get-many endpoint. One key: one show. Several keys: `many` may answer
 * them with one listing (null: use shows); an id the listing did not hold (a private type, another project's
 * object an admin may see) still gets its own show. Ids that do not exist resolve to null. `eager()` true (the
 * listing was prefetched for this request) lets even one key use the listing; should that listing fail, the
 * keys fall back to shows.
 */
export function byIdLoader<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  many?: (ids: readonly string[]) => Promise<Map<string, T> | null>,
  eager: () => boolean = () => false,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    if (many && (ids.length > 1 || eager())) {
      const found = await (ids.length > 1 ? many(ids) : many(ids).catch(() => null));
      if (found) return settle(ids.map((id) => (found.has(id) ? Promise.resolve(found.get(id)!) : nullIfNotFound(show(id)))));
    }
    return settle(ids.map((id) => nullIfNotFound(show(id))));
  });
}

/**
 * One read per request that may be started early (a prefetch) and awaited later; `started` says whether anyone
 * asked for it yet. A failed prefetch is never an unhandled rejection: whoever awaits it gets the error.
 *
 * A class, not an object literal with a `get started()`: V8 keeps such a literal, and everything its closures
 * reach (here the request's loaders and all they read), alive through every scavenge until the next full
 * collection (measured in test/unit/gc-shapes.test.ts).
 */
export class Once<T> {
  private result: Promise<T> | undefined;

  constructor(private readonly fetch: () => Promise<T>) {}

  /** Bound: it is handed around as a function (`byIdLoader(show, all.get)`). */
  readonly get = (): Promise<T> => (this.result ??= this.fetch());

  readonly prefetch = (): void => {
    void this.get().catch(() => {});
  };

  get started(): boolean {
    return this.result !== undefined;
  }
}

export function once<T>(fetch: () => Promise<T>): Once<T> {
  return new Once(fetch);
}

/**
 * One unfiltered listing of a collection per request, shared by every loader that wants it (shares of several
 * groups and shares by id both read `shares/detail`). A later caller asking for more items than an earlier,
 * truncated read held gets a new read; a complete listing answers everyone. Callers detect "over budget" by
 * length, so handing them a longer complete list is safe.
 */
export function sharedListing<T>(fetch: (maxItems: number) => Promise<T[]>): (maxItems: number) => Promise<T[]> {
  let current: { max: number; result: Promise<T[]> } | undefined;
  return async (maxItems) => {
    if (current) {
      if (current.max >= maxItems) return current.result;
      const earlier = await current.result;
      if (earlier.length < current.max) return earlier;
    }
    const result = fetch(maxItems);
    current = { max: maxItems, result };
    return result;
  };
}

/** Groups `items` by `keyOf`, in the order given, with an entry (maybe empty) for every wanted key. */
export function partition<T>(items: T[], keys: readonly string[], keyOf: (t: T) => string | null | undefined) {
  const out = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const item of items) {
    const k = keyOf(item);
    if (k != null) out.get(k)?.push(item);
  }
  return out;
}

/**
 * What the planner remembers across requests (sizes, a page's ids; never data): a value per key for `ttlMs`, at
 * most `maxEntries` keys, the least recently written dropped first.
 */
export class Recent<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    return e && Date.now() - e.at <= this.ttlMs ? e.value : undefined;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: Date.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** The token's hash, computed once per request (a request builds several keys). */
const hashes = new WeakMap<Caller, string>();

/**
 * What the planner has learnt about collection sizes: per service, collection and caller (a hash of the token,
 * never the token), the fewest items the collection is known to hold. Sizes only, never data; forgotten after a
 * minute. It spares a second request the probe that found a listing over budget.
 */
export class CollectionSizes {
  private readonly known: Recent<number>;

  constructor(ttlMs = 60_000, maxEntries = 10_000) {
    this.known = new Recent(ttlMs, maxEntries);
  }

  static key(service: string, collection: string, caller: Caller): string {
    let who = hashes.get(caller);
    if (who === undefined) {
      who = createHash('sha256').update(caller.token ?? '').digest('hex').slice(0, 24);
      hashes.set(caller, who);
    }
    return `${service}:${collection}${caller.allProjects ? '@all-projects' : ''}:${who}`;
  }

  atLeast(key: string): number {
    return this.known.get(key) ?? 0;
  }

  record(key: string, atLeast: number): void {
    this.known.set(key, atLeast);
  }
}

export const collectionSizes = new CollectionSizes();

/**
 * The key under which a caller's page of a collection (same filters, size and position) is remembered: a hash of
 * the token, never the token. Undefined for a page key too long to keep (a long name filter): such a page is not
 * remembered.
 */
export function pageMemoryKey(service: string, collection: string, pageKey: string | undefined, caller: Caller): string | undefined {
  if (pageKey === undefined || pageKey.length > 256) return undefined;
  return CollectionSizes.key(service, `${collection}-page ${pageKey}`, caller);
}

/** The most parents a remembered page may hold: a guess sends one call per parent, so it stays small. */
export const PAGE_MEMORY_MAX_PARENTS = 50;

/**
 * Which parents a caller's page held when last read (under `pageMemoryKey`), with whatever else a guess needs of
 * them: for a minute, at most 1000 pages of 2 to 50 parents (ids and counts only: about 2 MB when full). The next
 * read of that page can start its parents' reads with the page; a guess is only ever a read made early.
 */
export class PageMemory<V extends { ids: readonly string[] }> {
  private readonly known: Recent<V>;

  constructor(ttlMs = 60_000, maxEntries = 1_000) {
    this.known = new Recent(ttlMs, maxEntries);
  }

  /** What the page holds now; a page no guess could use (undefined, one parent, too many) forgets the old one. */
  remember(key: string, page: V | undefined): void {
    this.known.delete(key);
    if (page && page.ids.length >= 2 && page.ids.length <= PAGE_MEMORY_MAX_PARENTS) this.known.set(key, page);
  }

  recall(key: string): V | undefined {
    return this.known.get(key);
  }
}

// Above this many parents in one batch, one full listing partitioned locally is cheaper than one filtered
// listing per parent. The full listing is abandoned (back to per-parent calls) once it has read more than
// FULL_LISTING_BUDGET_PER_KEY items per parent asked for, so it never costs more than a bounded multiple.
const FULL_LISTING_MIN_KEYS = 2;
const FULL_LISTING_BUDGET_PER_KEY = 50;
// The most a listing started before its parents are known may read: Cinder's and Manila's largest page.
const PREFETCH_MAX_ITEMS = 1000;

/**
 * For a by-id loader's batch of several ids: one bounded full listing instead of N shows, when the collection is
 * not known to be larger than FULL_LISTING_BUDGET_PER_KEY items per id asked for. Null means "use shows" (the
 * listing was over budget, or is known to be); ids missing from a complete listing then get their own show.
 */
export async function listingForIds<T extends { id: string }>(
  ids: readonly string[],
  list: (maxItems: number) => Promise<T[]>,
  sizeKey: string,
): Promise<Map<string, T> | null> {
  const budget = ids.length * FULL_LISTING_BUDGET_PER_KEY;
  if (collectionSizes.atLeast(sizeKey) > budget) return null;
  const all = await list(budget + 1);
  collectionSizes.record(sizeKey, all.length);
  return all.length > budget ? null : new Map(all.map((t) => [t.id, t]));
}

/** A by-id loader whose batches of several ids try one bounded listing first (see `listingForIds`). */
export function byIdOrListing<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  listing: (maxItems: number) => Promise<T[]>,
  sizeKey: string,
): DataLoader<string, T | null> {
  return byIdLoader(show, (ids) => listingForIds(ids, listing, sizeKey));
}

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
 */
export function childrenByParent<T extends { id: string }>(
  list: (filters: Record<string, string> | undefined, maxItems: number) => Promise<T[]>,
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
) {
  const full = sharedListing((max) => list(undefined, max));
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
    const prefetched = prefetchedMax > budget;
    const several = parentIds.length >= FULL_LISTING_MIN_KEYS;
    const exactFirst = several && many !== undefined && !prefetched && parentIds.length <= many.perCall;
    if (exactFirst) {
      const exact = await many.read(parentIds);
      if (exact) return handOut(parentIds, exact);
    }
    if ((several && !knownOver(budget)) || prefetched) {
      const maxRead = Math.max(budget + 1, prefetchedMax);
      const all = await full(maxRead);
      if (sizeKey !== undefined) collectionSizes.record(sizeKey, all.length);
      // Complete (shorter than the read allowed): it holds every child of these parents.
      if (all.length < maxRead) return handOut(parentIds, partition(all, parentIds, parentOf));
    }
    const together = several && many && !exactFirst ? await many.read(parentIds) : null;
    if (together) return handOut(parentIds, together);
    return settle(
      parentIds.map(async (id) => {
        const started = early.get(id);
        early.delete(id);
        const items = await (started ?? list({ [filterKey]: id }, 10_000));
        items.forEach(prime);
        return items;
      }),
    );
  });
  return Object.assign(loader, {
    /** How many items a prefetch for `parents` would read at most: the budget, or less when the size is known. */
    aheadItems(parents: number): number {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      const known = sizeKey === undefined ? 0 : collectionSizes.atLeast(sizeKey);
      return known > 0 ? Math.min(known, budget) : budget;
    },
    /**
     * Starts the full listing for a batch of up to `parents` parents now, when the planner would choose it. The
     * parents are not known yet (a page may come back shorter than asked), so only a listing whose budget fits in
     * one upstream page (PREFETCH_MAX_ITEMS) is started early; a bigger page of parents waits for its batch,
     * which reads exactly its own budget.
     */
    prefetch(parents: number): void {
      const budget = parents * FULL_LISTING_BUDGET_PER_KEY;
      if (parents < FULL_LISTING_MIN_KEYS || budget > PREFETCH_MAX_ITEMS || knownOver(budget) || prefetchedMax > budget) return;
      prefetchedMax = budget + 1;
      full(prefetchedMax).catch(() => {});
    },
    /**
     * Parents expected on a page that is on its way (those it held when last read): when the collection is known
     * to be over budget for them, the batch would read one filtered listing per parent once the page is in; start
     * those now. A parent the page no longer holds wastes its read; one it newly holds is read in the batch.
     * Returns whether it started anything (otherwise `prefetch` is the plan).
     */
    prefetchParents(parentIds: readonly string[]): boolean {
      if (parentIds.length < FULL_LISTING_MIN_KEYS || !knownOver(parentIds.length * FULL_LISTING_BUDGET_PER_KEY)) return false;
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
