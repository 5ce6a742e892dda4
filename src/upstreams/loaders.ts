import { FacadeError } from '../errors.js';
import { TokenCache } from '../identity/tokenCache.js';
import { KnownLoader } from './knownLoader.js';
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
 * Ids a client named (a router's `_entities`) that one request may look up one by one when a listing did not answer
 * them (an admin may show another project's object, a private type may be showable, SDRS lists no jobs): past it,
 * each such id is a QUERY_TOO_LARGE error on its own item. One `_entities` of 1000 made-up ids cost a listing and
 * 1000 shows (probe of 2026-12-07). Ids read from upstream objects (another project's snapshot's volumes, for an
 * admin) are never counted: the upstream named them.
 */
export const MAX_MISSES_SHOWN = 100;

/** The shows of named ids one request has made, per kind of object. */
export class MissesShown {
  /** Each id once: the same id named again shares its loader's one call. */
  private readonly shown = new Set<string>();

  /** The show of `id` (counted when `named`), or its refusal once MAX_MISSES_SHOWN ids have been shown. */
  show<T>(id: string, show: (id: string) => Promise<T>, named = true): Promise<T | null> {
    if (named && !this.shown.has(id)) {
      if (this.shown.size >= MAX_MISSES_SHOWN) return Promise.reject(tooManyMisses(id));
      this.shown.add(id);
    }
    return nullIfNotFound(show(id));
  }
}

function tooManyMisses(id: string): FacadeError {
  const message = `${id}: this request has already looked up ${MAX_MISSES_SHOWN} ids of this kind one by one (each a call of its own, no listing held them); ask for the rest in another request.`;
  return new FacadeError('QUERY_TOO_LARGE', message);
}

/**
 * A by-id loader for an API without a get-many endpoint. One key: one show. Several keys: `many` may answer
 * them with one listing (null: use shows); an id the listing did not hold (a private type, another project's
 * object an admin may see) still gets its own show, up to MAX_MISSES_SHOWN a request of those a client named. Ids
 * that do not exist resolve to null. `eager()` true (the
 * listing was prefetched for this request) lets even one key use the listing; should that listing fail, the
 * keys fall back to shows. `listed` (listingIndex's `find`): that listing's item once it is in, answered by `now` at once.
 */
export function byIdLoader<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  many?: (ids: readonly string[]) => Promise<Map<string, T> | null>,
  eager: () => boolean = () => false,
  listed?: (id: string) => T | undefined,
): KnownLoader<string, T | null> {
  const misses = new MissesShown();
  const loader: KnownLoader<string, T | null> = new KnownLoader<string, T | null>(async (ids) => {
    if (many && (ids.length > 1 || eager())) {
      const found = await (ids.length > 1 ? many(ids) : many(ids).catch(() => null));
      if (found) return settle(ids.map((id) => (found.has(id) ? Promise.resolve(found.get(id)!) : misses.show(id, show, loader.named.has(id)))));
    }
    return settle(ids.map((id) => nullIfNotFound(show(id))));
  }, listed);
  return loader;
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
  private settled: { value: T } | undefined;

  constructor(private readonly fetch: () => Promise<T>) {}

  /** Bound: it is handed around as a function (`byIdLoader(show, all.get)`). */
  readonly get = (): Promise<T> =>
    (this.result ??= this.fetch().then((value) => {
      this.settled = { value };
      return value;
    }));

  /** The read's result once it has come in (undefined before, or if it failed). */
  get value(): T | undefined {
    return this.settled?.value;
  }

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
 * The listing `current()` reads (one read per request, a write may start a new one) by id, indexed once per
 * listing: `find` answers at once once it is in (a KnownLoader's `listed`), `byId` waits for it (its `many`).
 */
export function listingIndex<T extends { id: string }>(current: () => Once<T[]>) {
  let indexed: T[] | undefined;
  let index = new Map<string, T>();
  const of = (list: T[]) => {
    if (list !== indexed) {
      indexed = list;
      index = new Map(list.map((t) => [t.id, t]));
    }
    return index;
  };
  return {
    find: (id: string): T | undefined => {
      const list = current().value;
      return list === undefined ? undefined : of(list).get(id);
    },
    byId: async (): Promise<Map<string, T>> => of(await current().get()),
  };
}

/** A read of a listing: `complete` when it held fewer items than that read was sent for (the whole listing). */
export interface ListingRead<T> {
  items: T[];
  complete: boolean;
}

/**
 * One unfiltered listing of a collection per request, shared by every loader that wants it (shares of several
 * groups and shares by id both read `shares/detail`). Each caller gets a read sent for at least as many items as
 * it asked for, or a complete one: a caller wanting more than a read in flight waits for it and, when it was cut
 * short, for the larger read another waiter started meanwhile, or starts its own. A read is judged complete
 * against the limit it was sent with, never against what its caller asked for, so a longer complete read answers.
 */
export function sharedListing<T>(fetch: (maxItems: number) => Promise<T[]>): (maxItems: number) => Promise<ListingRead<T>> {
  let current: { max: number; result: Promise<ListingRead<T>> } | undefined;
  const start = (max: number) => {
    const read = { max, result: fetch(max).then((items) => ({ items, complete: items.length < max })) };
    current = read;
    return read.result;
  };
  return async (maxItems) => {
    // `current` may change while this caller waits: each read it looks at is its own local.
    for (let read = current; read !== undefined; read = current) {
      if (read.max >= maxItems) return read.result;
      const earlier = await read.result;
      if (earlier.complete) return earlier;
      // Cut short, and nobody started a larger read meanwhile: this caller's is the next.
      if (current === read) break;
    }
    return start(maxItems);
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
 * What the planner has learnt about collection sizes: per service, collection and project (`ofProject`), or per
 * caller (`key`: a hash of the token, never the token), the fewest items the collection is known to hold. Sizes
 * only, never data; forgotten after a minute. It spares the next request the probe that found a listing over
 * budget, and sizes its reads ahead.
 */
export class CollectionSizes {
  private readonly known: Recent<{ atLeast: number; exact: boolean; seenAt: number }>;

  constructor(ttlMs = 60_000, maxEntries = 10_000) {
    this.known = new Recent(ttlMs, maxEntries);
  }

  static key(service: string, collection: string, caller: Caller): string {
    let who = hashes.get(caller);
    if (who === undefined) {
      // The request's own hash of its token (newCaller) when it has one: the token is hashed once per request.
      who = (caller.tokenHash ?? TokenCache.keyOf(caller.token ?? '')).slice(0, 24);
      hashes.set(caller, who);
    }
    return `${service}:${collection}${caller.allProjects ? '@all-projects' : ''}:${who}`;
  }

  /**
   * The key of a project's collection, whoever reads it: the endpoint names the project (Cinder and Manila refuse
   * a token of another project with 400), and every caller of a project lists the same objects. A cold caller
   * plans from what the project's listings cost last time; it still reads everything with its own token.
   */
  static ofProject(service: string, collection: string, endpoint: string, caller: Caller): string {
    return `${service}:${collection}${caller.allProjects ? '@all-projects' : ''}@${endpoint}`;
  }

  atLeast(key: string): number {
    return this.known.get(key)?.atLeast ?? 0;
  }

  /** How many items the collection held when last read whole (or counted); undefined when only a bound is known. */
  exactly(key: string): number | undefined {
    const e = this.known.get(key);
    return e?.exact ? e.atLeast : undefined;
  }

  /**
   * `count` items were read (`exact`: all of them, or the upstream counted them). A truncated read that fits
   * within a known exact size keeps it: it says nothing new.
   */
  record(key: string, count: number, exact = false): void {
    const e = this.known.get(key);
    if (!exact && e?.exact && count <= e.atLeast) return;
    this.known.set(key, { atLeast: count, exact, seenAt: Date.now() });
  }

  /**
   * Keeps a size a plan was just made from for another `ttlMs`, unless it was read more than `maxAgeMs` ago: a plan
   * that spares the full listing never reads it again, and the size would otherwise lapse every minute while the
   * project is in use (its next request then reading ahead on a guess to learn it again).
   */
  keep(key: string, maxAgeMs = 10 * 60_000): void {
    const e = this.known.get(key);
    if (e && Date.now() - e.seenAt <= maxAgeMs) this.known.set(key, e);
  }

  forget(key: string): void {
    this.known.delete(key);
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

// A listing may replace several shows while it holds at most this many items per id asked for.
const FULL_LISTING_BUDGET_PER_KEY = 50;

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
  collectionSizes.record(sizeKey, all.length, all.length <= budget);
  return all.length > budget ? null : new Map(all.map((t) => [t.id, t]));
}

/** A by-id loader whose batches of several ids try one bounded listing first (see `listingForIds`). */
export function byIdOrListing<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  listing: (maxItems: number) => Promise<T[]>,
  sizeKey: string,
): KnownLoader<string, T | null> {
  return byIdLoader(show, (ids) => listingForIds(ids, listing, sizeKey));
}
