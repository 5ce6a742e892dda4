import { type ServiceName, UpstreamError } from '../../errors.js';
import type { KeyValue } from '../../generated/graphql.js';
import { isObject } from '../../upstreams/wire.js';

/**
 * `{a: "1"}` -> `[{key: "a", value: "1"}]`; null when the upstream hid the map. Anything but a map of strings (or
 * numbers, booleans, nulls) is the upstream's error: a string was answered as one spec per character (wire audit of
 * 2026-12-08), an object value as "[object Object]".
 */
export function keyValues(map: unknown, service: ServiceName): KeyValue[] | null {
  if (map === undefined || map === null) return null;
  if (!isObject(map)) throw notSpecs(service);
  return Object.entries(map).map(([key, value]) => {
    // Cinder stores a volume type's extra spec of null as given (its schemas allow it): shown as before, "null".
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw notSpecs(service);
    return { key, value: String(value) };
  });
}

function notSpecs(service: ServiceName): UpstreamError {
  const label = service === 'cinder' ? 'Cinder' : 'Manila';
  return new UpstreamError('UPSTREAM_ERROR', `${label} answered specs that are not a map of strings.`, service, 200, null, null);
}
