/** Drops the nulls of a loadMany (objects the caller may not see) and rethrows the first real error. */
export function present<T>(results: (T | null | Error)[]): T[] {
  return results.filter((r): r is T => {
    if (r instanceof Error) throw r;
    return r !== null;
  });
}

/** `present` of a KnownLoader's `manyNow`: at once when every value is in hand. */
export function presentNow<T>(results: (T | null | Error)[] | Promise<(T | null | Error)[]>): T[] | Promise<T[]> {
  return results instanceof Promise ? results.then(present) : present(results);
}
