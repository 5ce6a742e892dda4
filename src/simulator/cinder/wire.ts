// Wire-level helpers for the Cinder simulator: fault envelopes, microversion parsing, the version document,
// Python-style value rendering (Cinder's messages embed Python reprs) and small schema checks.
import { openstackFault } from '../openstack-faults.js';
import type { SimResponse } from '../server.js';

/** Thrown by route code; the router turns it into the matching Cinder fault body. */
export class CinderFault extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const NOT_FOUND_MESSAGE = 'The resource could not be found.';
export const SERVER_ERROR_MESSAGE =
  'The server has either erred or is incapable of performing the requested operation.';

export function faultBody(status: number, message: string): unknown {
  return openstackFault(status, message);
}

export const badRequest = (message: string) => new CinderFault(400, message);
export const notFound = (message: string = NOT_FOUND_MESSAGE) => new CinderFault(404, message);

/** Body of a routes-middleware 404 (webob HTTPNotFound rendered as text/plain). */
export function routerNotFound(): SimResponse {
  return { status: 404, text: '404 Not Found\n\nThe resource could not be found.\n\n    ' };
}

// ---------------------------------------------------------------- microversions

/** Cinder only serves major version 3, so a microversion is carried as its minor number. */
export type Micro = number;

export function parseMaxVersion(raw: string): Micro {
  const m = /^3\.(\d+)$/.exec(raw);
  if (!m) throw new Error(`maxVersion must look like 3.NN, got ${raw}`);
  return Number(m[1]);
}

export const formatVersion = (minor: Micro) => `3.${minor}`;

/**
 * Reads `OpenStack-API-Version: volume 3.NN` (`latest` = max). No header, or no `volume` entry, means 3.0.
 * Throws the faults real Cinder answers: 400 for a malformed string, 406 (computeFault) out of range.
 */
export function requestedVersion(header: string | string[] | undefined, max: Micro): Micro {
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return 0;
  let value: string | undefined;
  for (const part of raw.split(',')) {
    const [service, ...rest] = part.trim().split(/\s+/);
    if (service?.toLowerCase() === 'volume') value = rest.join(' ');
  }
  if (value === undefined) return 0;
  if (value.toLowerCase() === 'latest') return max;
  const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(value);
  if (!m) {
    throw badRequest(`API Version String ${value} is of invalid format. Must be of format MajorNum.MinorNum.`);
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 3 || minor > max) {
    throw new CinderFault(
      406,
      `Version ${value} is not supported by the API. Minimum is 3.0 and maximum is ${formatVersion(max)}.`,
    );
  }
  return minor;
}

export function versionDocument(origin: string, max: Micro): unknown {
  return {
    versions: [
      {
        id: 'v3.0',
        status: 'CURRENT',
        version: formatVersion(max),
        min_version: '3.0',
        updated: '2022-08-31T00:00:00Z',
        links: [
          { rel: 'describedby', type: 'text/html', href: 'https://docs.openstack.org/' },
          { rel: 'self', href: `${origin}/v3/` },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
      },
    ],
  };
}

// ---------------------------------------------------------------- Python-flavoured rendering

/** `repr()` of a JSON value the way Python prints the decoded object. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v.includes("'") && !v.includes('"') ? `"${v}"` : `'${v.replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

/** `str()`: strings print bare, everything else as repr. */
export const pyStr = (v: unknown) => (typeof v === 'string' ? v : pyRepr(v));

/** Python tuple repr, e.g. `('available', 'in-use')`. */
export const pyTuple = (items: readonly string[]) => `(${items.map(pyRepr).join(', ')})`;

// ---------------------------------------------------------------- schema checks (jsonschema-style messages)

export type Json = Record<string, unknown>;

/** Cinder's `ValidationError` text: with a path it names the last path element and the offending value. */
export function schemaFault(path: string | null, instance: unknown, message: string): CinderFault {
  if (path === null) return badRequest(message);
  return badRequest(`Invalid input for field/attribute ${path}. Value: ${pyStr(instance)}. ${message}`);
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TYPE_NAMES: Record<string, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  object: isObject,
  array: Array.isArray,
  boolean: (v) => typeof v === 'boolean',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  null: (v) => v === null,
};

/** Checks `value` against jsonschema `type` names; `path` is the property name the error is reported under. */
export function checkType(path: string | null, value: unknown, types: string[]): void {
  if (types.some((t) => TYPE_NAMES[t]?.(value))) return;
  throw schemaFault(path, value, `${pyRepr(value)} is not of type ${types.map((t) => `'${t}'`).join(', ')}`);
}

/** The envelope `{key: {...}}` every Cinder write takes; `allowed` are the permitted inner keys. */
export function envelope(body: unknown, key: string, allowed: string[] | null, required: string[] = []): Json {
  if (!isObject(body)) throw schemaFault(null, body, `${pyRepr(body)} is not of type 'object'`);
  if (!(key in body)) throw schemaFault(null, body, `'${key}' is a required property`);
  const extraTop = Object.keys(body).filter((k) => k !== key);
  if (extraTop.length > 0) throw schemaFault(null, body, additionalMessage(extraTop));
  const inner = body[key];
  checkType(key, inner, ['object']);
  const obj = inner as Json;
  for (const r of required) if (!(r in obj)) throw schemaFault(key, obj, `'${r}' is a required property`);
  if (allowed) {
    const extra = Object.keys(obj).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw schemaFault(key, obj, additionalMessage(extra));
  }
  return obj;
}

function additionalMessage(extra: string[]): string {
  const verb = extra.length === 1 ? 'was' : 'were';
  return `Additional properties are not allowed (${extra.map(pyRepr).join(', ')} ${verb} unexpected)`;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const isUuidLike = (s: string) => UUID_RE.test(s);

export function checkUuid(path: string, value: unknown): string {
  checkType(path, value, ['string']);
  if (!isUuidLike(value as string)) throw schemaFault(path, value, `${pyRepr(value)} is not a 'uuid'`);
  return value as string;
}

/** Optional name/description: string or null, at most 255 characters. */
export function optionalText(obj: Json, key: string): string | null | undefined {
  if (!(key in obj)) return undefined;
  const v = obj[key];
  checkType(key, v, ['string', 'null']);
  if (typeof v === 'string' && v.length > 255) throw schemaFault(key, v, `${pyRepr(v)} is too long`);
  return v as string | null;
}

/** Cinder's `strutils.bool_from_string` leniency for query and body flags. */
export function truthy(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return false;
  return ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.trim().toLowerCase());
}

/** Naive UTC timestamp in Cinder's format, e.g. `2025-03-14T09:26:53.000000`. */
export function cinderTime(d: Date = new Date()): string {
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}`;
}
