import type { KeyValue } from '../../generated/graphql.js';

/** `{a: "1"}` -> `[{key: "a", value: "1"}]`; null when the upstream hid the map. */
export function keyValues(map: Record<string, string> | undefined | null): KeyValue[] | null {
  if (!map) return null;
  return Object.entries(map).map(([key, value]) => ({ key, value: String(value) }));
}
