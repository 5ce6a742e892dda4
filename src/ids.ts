import { InputError } from './errors.js';

// Each id a client sends is checked against the format of the id it stands for before it reaches a URL or a body,
// so a route word (`detail`, `default`, `action`) can never stand in for one: `GET /volumes/detail` is a listing.
//  - Cinder, Manila and SDRS resource ids, SDRS active-active domain ids and VPC ids: UUIDs, 8-4-4-4-12 hex
//    (oslo's is_uuid_like; SDRS API reference, "Creating a Protection Group" and "Querying an Active-Active Domain").
//  - SDRS job ids: 32 hex digits, no dashes (SDRS API reference, "Querying the Job Status":
//    `0000000062db92d70162db9d200f000a`).
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const SDRS_JOB_ID = /^[0-9A-Fa-f]{32}$/;

/** How a refused id is shown in a message: JSON-quoted (control characters escaped) and cut at 40 characters. */
function shown(id: string): string {
  return JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id);
}

/**
 * `id` in lower case, or BAD_USER_INPUT unless it is a UUID (Cinder, Manila and SDRS resources, SDRS domains,
 * VPCs). Lower case because a UUID is read in either case (RFC 9562) but the upstreams store and compare them as
 * strings, in lower case: an upper-cased id of an existing group was not found (null).
 */
export function assertUuid(id: string, what = 'id'): string {
  if (!UUID.test(id)) {
    throw new InputError(`Invalid ${what} ${shown(id)}: expected a UUID (8-4-4-4-12 hex digits, e.g. 9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01).`);
  }
  return id.toLowerCase();
}

/**
 * A UUID filter or option the client may leave out: undefined when absent (null or undefined), BAD_USER_INPUT when
 * given but not a UUID. An empty string is refused, not read as "no filter" (that listed everything).
 */
export function optionalUuid(id: string | null | undefined, what: string): string | undefined {
  return id === null || id === undefined ? undefined : assertUuid(id, what);
}

/** `id` in lower case (as assertUuid), or BAD_USER_INPUT unless it is an SDRS job id (32 hex digits). */
export function assertSdrsJobId(id: string, what = 'job id'): string {
  if (!SDRS_JOB_ID.test(id)) {
    throw new InputError(`Invalid ${what} ${shown(id)}: SDRS job ids are 32 hex digits (e.g. 0000000062db92d70162db9d200f000a).`);
  }
  return id.toLowerCase();
}

/**
 * A value the upstream stores or matches as given (a name, an availability zone, a backend id): any string but a
 * blank one, which no upstream takes (they refused them, after a call).
 */
export function assertNotBlank(value: string, what: string): string {
  if (value.trim() === '') throw new InputError(`${what} must not be blank.`);
  return value;
}

/** A name, zone or backend id the client may leave out: undefined when absent, refused when blank. */
export function optionalNotBlank(value: string | null | undefined, what: string): string | undefined {
  return value === null || value === undefined ? undefined : assertNotBlank(value, what);
}

/**
 * A name or id the upstream resolves itself (a Cinder group or volume type: either): refused when blank, and in
 * lower case when it is a UUID, as every id is sent (Cinder reads a UUID-like value as an id only, compared as a string).
 */
export function assertNameOrId(value: string, what: string): string {
  if (value.trim() === '') throw new InputError(`${what} is empty; give a name or an id.`);
  return UUID.test(value) ? value.toLowerCase() : value;
}
