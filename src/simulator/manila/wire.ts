import { randomUUID } from 'node:crypto';
import type { Caller } from '../identity.js';
import { faultHeaders, openstackFault } from '../openstack-faults.js';
import type { SimRequest, SimResponse } from '../server.js';
import { likeContains } from './like.js';
import type { ManilaState } from './state.js';

/** Envelopes, microversions, paging and links as Manila Zed puts them on the wire. */

export const VERSION_HEADER = 'X-OpenStack-Manila-API-Version';
export const EXPERIMENTAL_HEADER = 'X-OpenStack-Manila-API-Experimental';
export const SG_MIN_VERSION = '2.31';
export const SG_GRADUATION_VERSION = '2.55';

export interface Version {
  major: number;
  minor: number;
}

export interface Ctx {
  req: SimRequest;
  state: ManilaState;
  legacy: boolean;
  version: Version;
  experimental: boolean;
  /** `context.project_id`: the token's project (`role:project`), else the URL's or the configured one. */
  projectId: string;
  /** Who asks: roles and is_admin as keystonemiddleware would give them (see ../identity.ts). */
  caller: Caller;
  /** `http://host:port`, what Manila calls the host URL. */
  origin: string;
  requestId: string;
}

export const NOT_FOUND_TEXT = 'The resource could not be found.';

export function parseVersion(s: string): Version | undefined {
  const m = /^([1-9]\d*)\.([1-9]\d*|0)$/.exec(s);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function cmp(a: Version, b: Version | string): number {
  const bv = typeof b === 'string' ? (parseVersion(b) as Version) : b;
  return a.major !== bv.major ? a.major - bv.major : a.minor - bv.minor;
}

export function atLeast(ctx: Ctx, v: string): boolean {
  return cmp(ctx.version, v) >= 0;
}

export function versionString(v: Version): string {
  return `${v.major}.${v.minor}`;
}

export function newRequestId(): string {
  return `req-${randomUUID()}`;
}

/** Headers Manila's wsgi.Resource adds to every response it produces. */
export function resourceHeaders(ctx: Ctx): Record<string, string> {
  const h: Record<string, string> = {
    'x-compute-request-id': ctx.requestId,
    [VERSION_HEADER]: versionString(ctx.version),
    Vary: VERSION_HEADER,
  };
  if (ctx.experimental) h[EXPERIMENTAL_HEADER] = 'True';
  return h;
}

export function reply(ctx: Ctx, status: number, json?: unknown): SimResponse {
  return json === undefined
    ? { status, headers: resourceHeaders(ctx) }
    : { status, json, headers: resourceHeaders(ctx) };
}

export function fault(ctx: Ctx, status: number, message: string): SimResponse {
  return { status, json: openstackFault(status, message), headers: { ...resourceHeaders(ctx), ...faultHeaders(status) } };
}

/** The routes middleware's 404 for a path no controller is mapped to: plain text, not JSON. */
export function routerNotFound(requestId: string): SimResponse {
  return {
    status: 404,
    text: `404 Not Found\n\n${NOT_FOUND_TEXT}\n\n   `,
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-compute-request-id': requestId },
  };
}

/** What `VersionNotFoundForAPIMethod` turns into: the method looks unimplemented. */
export function versionNotFound(ctx: Ctx): SimResponse {
  return fault(ctx, 404, NOT_FOUND_TEXT);
}

/** Share group APIs: 2.31+, and 2.31–2.54 only with the experimental header. */
export function shareGroupGate(ctx: Ctx): SimResponse | undefined {
  if (!atLeast(ctx, SG_MIN_VERSION)) return versionNotFound(ctx);
  if (!atLeast(ctx, SG_GRADUATION_VERSION) && !ctx.experimental) return versionNotFound(ctx);
  return undefined;
}

/** Python's repr of a set of strings, as in "The fields {'foo'} are invalid." */
export function pySet(keys: string[]): string {
  return `{${keys.map((k) => `'${k}'`).join(', ')}}`;
}

/** oslo `strutils.bool_from_string` (not strict): anything unrecognised, and a missing value, is false. */
export function boolFromString(v: unknown): boolean {
  return typeof v === 'string' ? ['1', 't', 'true', 'on', 'y', 'yes'].includes(v.trim().toLowerCase()) : v === true;
}

export function isUuidLike(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const hex = v.replace(/[-{}]/g, '').replace(/^urn:uuid:/i, '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `is_valid_body`: the entity key is present and holds an object. */
export function entity(body: unknown, key: string): Record<string, unknown> | undefined {
  if (!isDict(body)) return undefined;
  const e = body[key];
  return isDict(e) ? e : undefined;
}

export function str(v: unknown): string | null {
  return v === undefined || v === null ? null : String(v);
}

/** Query parameters as `req.GET` sees them: last value wins. */
export function queryObject(q: URLSearchParams): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of q) m.set(k, v);
  return m;
}

/**
 * The filters of a list request, as `req.GET` sees them, with paging, sorting and `all_tenants` taken out; and the
 * sort, defaulting to newest first.
 */
export function listQuery(ctx: Ctx): { search: Map<string, string>; sortKey: string; sortDir: string } {
  const search = queryObject(ctx.req.query);
  const sortKey = search.get('sort_key') ?? 'created_at';
  const sortDir = search.get('sort_dir') ?? 'desc';
  for (const k of ['limit', 'offset', 'sort_key', 'sort_dir', 'all_tenants']) search.delete(k);
  return { search, sortKey, sortDir };
}

/** `common.limited`: offset/limit slicing with Manila's validation messages. */
export function limited<T>(ctx: Ctx, items: T[], maxLimit = 1000): T[] | SimResponse {
  const q = ctx.req.query;
  const rawOffset = q.get('offset');
  const rawLimit = q.get('limit');
  const offset = rawOffset === null ? 0 : pyInt(rawOffset);
  if (offset === undefined) return fault(ctx, 400, 'offset param must be an integer');
  let limit = rawLimit === null ? maxLimit : pyInt(rawLimit);
  if (limit === undefined) return fault(ctx, 400, 'limit param must be an integer');
  if (limit < 0) return fault(ctx, 400, 'limit param must be positive');
  if (offset < 0) return fault(ctx, 400, 'offset param must be positive');
  limit = Math.min(maxLimit, limit || maxLimit);
  return items.slice(offset, offset + limit);
}

function pyInt(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d+$/.test(t) ? Number(t) : undefined;
}

export interface Link {
  rel: string;
  href: string;
}

/** self + bookmark built from the view builder's collection name (broken underscore names in Zed). */
export function selfLinks(ctx: Ctx, collection: string, id: string): Link[] {
  return [
    { rel: 'self', href: `${ctx.origin}/v2/${ctx.projectId}/${collection}/${id}` },
    { rel: 'bookmark', href: `${ctx.origin}/${ctx.projectId}/${collection}/${id}` },
  ];
}

/**
 * `_get_collection_links`: a next link only when the page is exactly `limit` long. It repeats every query
 * parameter (unencoded, as `dict_to_query_str` does) and appends `marker`, which the list APIs then reject.
 */
export function collectionLinks(ctx: Ctx, collection: string, page: { id: string }[]): Link[] {
  const limit = Number.parseInt(ctx.req.query.get('limit') ?? '0', 10) || 0;
  const last = page[page.length - 1];
  if (!limit || limit !== page.length || !last) return [];
  const parts: string[] = [];
  for (const [k, v] of ctx.req.query) if (k !== 'marker') parts.push(`${k}=${v}`);
  parts.push(`marker=${last.id}`);
  return [{ rel: 'next', href: `${ctx.origin}/v2/${ctx.projectId}/${collection}?${parts.join('&')}` }];
}

/**
 * Manila DB list semantics shared by share groups and their snapshots: exact column filters, optional LIKE
 * (`key~`) filters, sort_key/sort_dir. Unknown keys give InvalidInput (400).
 */
export function filterAndSort<T extends object>(
  ctx: Ctx,
  rows: T[],
  opts: {
    columns: readonly string[];
    like: readonly string[];
    search: Map<string, string>;
    sortKey: string;
    sortDir: string;
    unknownKeyMessage: (key: string) => string;
  },
): T[] | SimResponse {
  const get = (r: T, k: string): unknown => (r as Record<string, unknown>)[k];
  let out = rows;
  for (const [key, value] of opts.search) {
    if (opts.like.includes(key)) {
      const col = key.slice(0, -1);
      out = out.filter((r) => likeContains(get(r, col), value));
    } else if (opts.columns.includes(key)) {
      out = out.filter((r) => String(get(r, key) ?? '') === value && get(r, key) !== null);
    } else {
      return fault(ctx, 400, `Invalid input received: ${opts.unknownKeyMessage(key)}`);
    }
  }
  if (!opts.columns.includes(opts.sortKey)) {
    return fault(ctx, 400, `Invalid input received: Wrong sorting key provided - '${opts.sortKey}'.`);
  }
  const dir = opts.sortDir.toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') {
    return fault(ctx, 400, `Invalid input received: Wrong sorting data provided: sort key is '${opts.sortKey}' and sort direction is '${opts.sortDir}'.`);
  }
  const sign = dir === 'asc' ? 1 : -1;
  return [...out].sort((a, b) => {
    const x = String(get(a, opts.sortKey) ?? '');
    const y = String(get(b, opts.sortKey) ?? '');
    return x < y ? -sign : x > y ? sign : 0;
  });
}

/** `GET /`: Manila's version discovery document (300 Multiple Choices). */
export function versionsDocument(origin: string, maxVersion: string): unknown {
  const media = (v: string) => [{ base: 'application/json', type: `application/vnd.openstack.share+json;version=${v}` }];
  const docLink = { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' };
  return {
    versions: [
      {
        id: 'v1.0',
        status: 'DEPRECATED',
        version: '',
        min_version: '',
        updated: '2015-08-27T11:33:21Z',
        links: [docLink, { rel: 'self', href: `${origin}/v1/` }],
        'media-types': media('1'),
      },
      v2Document(origin, maxVersion),
    ],
  };
}

export function v2Document(origin: string, maxVersion: string): Record<string, unknown> {
  return {
    id: 'v2.0',
    status: 'CURRENT',
    version: maxVersion,
    min_version: '2.0',
    updated: '2015-08-27T11:33:21Z',
    links: [
      { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
      { rel: 'self', href: `${origin}/v2/` },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.share+json;version=1' }],
  };
}
