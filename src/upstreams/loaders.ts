import DataLoader from 'dataloader';
import { FacadeError } from '../errors.js';

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
 * A by-id loader for an API without a get-many endpoint. One key: one show. Several keys: `many` decides (for
 * small collections such as types, one listing beats N shows). Missing ids resolve to null.
 */
export function byIdLoader<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  many?: (ids: readonly string[]) => Promise<Map<string, T> | null>,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (ids) => {
    if (ids.length > 1 && many) {
      const found = await many(ids);
      if (found) return ids.map((id) => found.get(id) ?? null);
    }
    return settle(ids.map((id) => nullIfNotFound(show(id))));
  });
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

// Above this many parents in one batch, one full listing partitioned locally is cheaper than one filtered
// listing per parent. The full listing is abandoned (back to per-parent calls) once it has read more than
// FULL_LISTING_BUDGET_PER_KEY items per parent asked for, so it never costs more than a bounded multiple.
const FULL_LISTING_MIN_KEYS = 2;
const FULL_LISTING_BUDGET_PER_KEY = 50;

/**
 * Children by parent id (volumes of a group, shares of a share group...) with a flat number of calls as the
 * number of parents grows: several parents in a batch share one full listing (bounded), one parent gets its
 * own filtered listing. Every child read is handed to `prime` for the by-id loaders.
 */
export function childrenByParent<T extends { id: string }>(
  list: (filters: Record<string, string> | undefined, maxItems: number) => Promise<T[]>,
  filterKey: string,
  parentOf: (t: T) => string | null | undefined,
  prime: (t: T) => void,
) {
  return new DataLoader<string, T[]>(async (parentIds) => {
    if (parentIds.length >= FULL_LISTING_MIN_KEYS) {
      const budget = parentIds.length * FULL_LISTING_BUDGET_PER_KEY;
      const all = await list(undefined, budget + 1);
      if (all.length <= budget) {
        all.forEach(prime);
        const byParent = partition(all, parentIds, parentOf);
        return parentIds.map((id) => byParent.get(id) ?? []);
      }
    }
    return settle(
      parentIds.map(async (id) => {
        const items = await list({ [filterKey]: id }, 10_000);
        items.forEach(prime);
        return items;
      }),
    );
  });
}
