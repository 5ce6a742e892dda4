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
