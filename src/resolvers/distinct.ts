import { InputError } from '../errors.js';

/** A group or group type is made of a handful of types; a list far longer is a mistake, sent upstream in one call. */
export const MAX_LISTED = 100;

/**
 * Refuses a list that names one thing twice, or more than MAX_LISTED things, before any call: the upstream would
 * get it as it is (Cinder answers a 400 "non-unique elements" after the call; 25,000 volume types went out in one).
 * `caseless` for UUIDs, whose hex digits name one id in either case, and for names an upstream may match so.
 */
export function assertDistinct(list: readonly string[], what: string, caseless = false): string[] {
  if (list.length > MAX_LISTED) throw new InputError(`${what} names ${list.length} items; at most ${MAX_LISTED}.`);
  const seen = new Set<string>();
  for (const value of list) {
    const key = caseless ? value.toLowerCase() : value;
    if (seen.has(key)) throw new InputError(`${what} names ${JSON.stringify(value.slice(0, 40))} twice.`);
    seen.add(key);
  }
  return [...list];
}
