import { InputError } from '../errors.js';

/**
 * Refuses a list that names one thing twice, before any call: the upstream would get it as it is (Cinder answers a
 * 400 "non-unique elements" after the call). `caseless` for UUIDs, whose hex digits name one id in either case.
 */
export function assertDistinct(list: readonly string[], what: string, caseless = false): string[] {
  const seen = new Set<string>();
  for (const value of list) {
    const key = caseless ? value.toLowerCase() : value;
    if (seen.has(key)) throw new InputError(`${what} names ${JSON.stringify(value.slice(0, 40))} twice.`);
    seen.add(key);
  }
  return [...list];
}
