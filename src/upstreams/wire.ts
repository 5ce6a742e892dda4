import { type UpstreamService, UpstreamError } from '../errors.js';
import { requestIdOf, serviceLabel } from './upstreamErrors.js';

/** What these read of an upstream's answer. */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/** A JSON object (not null, not an array): what a field of an answer read off the wire must be before it is read into. */
export const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A wire value that must be a string: itself, else undefined. */
export const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * An answer of another shape than the API's is the upstream's fault (UPSTREAM_ERROR), never an empty list, a
 * missing object or a crash further in. After a write the upstream accepted, it is OUTCOME_UNKNOWN: the change
 * was probably made, and a client must re-read rather than send it again.
 */
function unreadable(service: UpstreamService, res: Answer, what: string, write: boolean): UpstreamError {
  const label = serviceLabel(service);
  const message = write
    ? `${label} accepted the change (HTTP ${res.status}) but its answer has ${what}: re-read the object before trying again.`
    : `${label} answered HTTP ${res.status} with ${what}.`;
  return new UpstreamError(write ? 'OUTCOME_UNKNOWN' : 'UPSTREAM_ERROR', message, service, res.status, requestIdOf(res.headers), null);
}

/** The `key` list of a listing, each item an object with a string `id`. */
export function listIn<T>(service: UpstreamService, res: Answer, key: string): T[] {
  return arrayIn<T>(service, res, key, hasId, 'an id');
}

const hasId = (item: Record<string, unknown>) => typeof item.id === 'string';

/**
 * A listing's count, when it is one (a whole number, not negative, as JSON can hold exactly); else null, as if it was
 * not sent: a count of 1e400 (Infinity) was taken for the project's exact size, and -5 was a totalCount (wire audit).
 */
export function countOf(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** A list of objects nested in an object (tags, attachments): none when absent, its object items; another type is the upstream's error. */
export function objectsOf<T>(v: unknown, service: UpstreamService, what: string): T[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new UpstreamError('UPSTREAM_ERROR', `${serviceLabel(service)} answered ${what} that is not a list.`, service, 200, null, null);
  return v.filter(isObject) as T[];
}

/** The `key` list of an answer, each item an object that `fits` (described by `what`: zones and access lists have no id). */
export function arrayIn<T>(service: UpstreamService, res: Answer, key: string, fits: (item: Record<string, unknown>) => boolean, what: string): T[] {
  const list = isObject(res.json) ? res.json[key] : undefined;
  if (!Array.isArray(list)) throw unreadable(service, res, `no "${key}" list`, false);
  for (const item of list) if (!isObject(item) || !fits(item)) throw unreadable(service, res, `an item of "${key}" without ${what}`, false);
  return list as T[];
}

/** The `key` object of an answer about one object (`write`: the answer to a create), with a string `id`. */
export function objectIn<T>(service: UpstreamService, res: Answer, key: string, write = false): T {
  const object = isObject(res.json) ? res.json[key] : undefined;
  if (!isObject(object) || typeof object.id !== 'string') throw unreadable(service, res, `no "${key}" object with an id`, write);
  return object as T;
}
