// Cinder's list machinery: get_pagination_params / get_sort_params (cinder/api/common.py), admin column filters,
// marker lookup through the resource's own getter (so an unknown marker is that resource's 404), the marker
// criteria of cinder/common/sqlalchemyutils.py paginate_query (a NULL sort value compares as its column type's
// default, '' for strings, while PostgreSQL orders NULLs last ascending and first descending: a page after a marker
// sorted by a nullable column skips the NULL rows, as real Cinder on PostgreSQL does), and the view builders' next
// link, which is emitted whenever a page is full, even when nothing follows.
import { CinderFault, SERVER_ERROR_MESSAGE, badRequest } from './wire.js';

/** osapi_max_limit default. */
export const MAX_LIMIT = 1000;

export interface ListParams {
  limit: number;
  marker: string | undefined;
  offset: number;
  sortKeys: string[];
  sortDirs: string[];
  /** Every query parameter that is not paging or sorting, in request order. */
  filters: Map<string, string>;
}

export function parseListParams(query: URLSearchParams): ListParams {
  const filters = new Map<string, string>();
  for (const [k, v] of query) filters.set(k, v);
  const take = (k: string) => {
    const v = filters.get(k);
    filters.delete(k);
    return v;
  };
  const marker = take('marker');
  const rawLimit = take('limit');
  let limit = MAX_LIMIT;
  if (rawLimit !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(rawLimit)) throw badRequest('limit param must be an integer');
    limit = Number(rawLimit);
    if (limit < 0) throw badRequest('limit param must be positive');
    limit = Math.min(limit, MAX_LIMIT);
  }
  const rawOffset = take('offset');
  let offset = 0;
  if (rawOffset !== undefined) {
    if (!/^\s*[+-]?\d+\s*$/.test(rawOffset)) throw badRequest('Invalid input received: offset must be an integer.');
    offset = Number(rawOffset);
    if (offset < 0) throw badRequest('Invalid input received: offset must be >= 0');
  }
  let sortKeys: string[];
  let sortDirs: string[];
  if (filters.has('sort')) {
    if (filters.has('sort_key') || filters.has('sort_dir')) {
      throw badRequest(
        "The 'sort_key' and 'sort_dir' parameters are deprecated and cannot be used with the 'sort' parameter.",
      );
    }
    sortKeys = [];
    sortDirs = [];
    for (const part of (take('sort') ?? '').trim().split(',')) {
      const idx = part.indexOf(':');
      const key = idx === -1 ? part : part.slice(0, idx);
      const dir = idx === -1 ? '' : part.slice(idx + 1);
      sortKeys.push(key.trim());
      sortDirs.push((dir || 'desc').trim());
    }
  } else {
    sortKeys = [(take('sort_key') ?? 'created_at').trim()];
    sortDirs = [(take('sort_dir') ?? 'desc').trim()];
  }
  return { limit, marker, offset, sortKeys, sortDirs, filters };
}

export interface ListSource<T extends { id: string }> {
  /** Candidates the caller can see (project scope already applied). */
  items: Iterable<T>;
  /** DB columns: admins may filter and sort on any of these; anything else filters to an empty list. */
  columns: ReadonlySet<string>;
  /** Value of a column (after API-level renames such as volume `name` → `display_name`). */
  value(item: T, column: string): unknown;
  /** The resource getter used for the marker: throws that resource's not-found fault. */
  requireMarker(id: string): T;
  /** API-level renames of filter/sort keys (e.g. `name` → `display_name`). */
  rename?: Record<string, string>;
  /**
   * Volumes only: filter values go through `ast.literal_eval` (VolumeAPI.check_volume_filters), so a list or
   * tuple literal such as `["a","b"]` becomes an SQL IN (`_process_volume_filters`). `display_name` is kept raw.
   */
  literalFilters?: boolean;
}

/**
 * A volume filter's value as `ast.literal_eval` leaves it: a list of strings, a quoted string unquoted, or the raw
 * text when it is no literal. A number or a bool reaches PostgreSQL compared with a text column: Cinder's 500.
 */
function literalFilterValue(raw: string): string[] | string {
  const list = stringListLiteral(raw);
  if (list) return list;
  const quoted = /^\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$/s.exec(raw);
  if (quoted) return (quoted[1] ?? quoted[2]!).replace(/\\(.)/g, '$1');
  if (/^\s*(?:[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[jJ]?|True|False)\s*$/.test(raw)) {
    throw new CinderFault(500, SERVER_ERROR_MESSAGE);
  }
  return raw;
}

/** The strings of a Python list/tuple literal of quoted strings, or null when `raw` is not one. */
export function stringListLiteral(raw: string): string[] | null {
  const m = /^\s*([[(])\s*(.*?)\s*([\])])\s*$/s.exec(raw);
  if (!m || (m[1] === '[' && m[3] !== ']') || (m[1] === '(' && m[3] !== ')')) return null;
  const body = m[2]!;
  const out: string[] = [];
  const item = /\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*(,|$)/y;
  let at = 0;
  while (at < body.length) {
    item.lastIndex = at;
    const hit = item.exec(body);
    if (!hit) return null;
    out.push(hit[1] ?? hit[2]!);
    at = item.lastIndex;
    if (hit[3] === '') break;
  }
  return at >= body.length ? out : null;
}

function compare(a: unknown, b: unknown): number {
  // PostgreSQL: NULL sorts as the largest value.
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** `_TYPE_SCHEMA` of sqlalchemyutils: what a NULL marker value stands for in the marker criteria. */
function columnDefault(column: string): unknown {
  if (column.endsWith('_at')) return '1900-01-01T00:00:00.000000';
  if (column === 'size') return 0;
  return '';
}

function matches(v: unknown, want: string): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v === ['1', 'true', 't', 'yes', 'on'].includes(want.toLowerCase());
  return String(v) === want;
}

/** Filters, sorts and pages like `_generate_paginate_query` + `sqlalchemyutils.paginate_query`. */
export function runList<T extends { id: string }>(src: ListSource<T>, p: ListParams): { page: T[]; total: number } {
  const rename = src.rename ?? {};
  const filters = [...p.filters].map(([k, v]) => [rename[k] ?? k, v] as const);
  // An unknown column makes the DB layer return no rows (is_valid_model_filters), before the marker is read.
  if (filters.some(([k]) => !src.columns.has(k))) return { page: [], total: 0 };
  const keys = p.sortKeys.map((k) => rename[k] ?? k);
  const dirs = [...p.sortDirs];
  for (const d of dirs) {
    if (d !== 'asc' && d !== 'desc') {
      throw badRequest("Invalid input received: Unknown sort direction, must be 'desc' or 'asc'.");
    }
  }
  for (const def of ['created_at', 'id']) {
    if (!keys.includes(def)) {
      keys.push(def);
      dirs.push(dirs[0] ?? 'desc');
    }
  }
  for (const k of keys) if (!src.columns.has(k)) throw badRequest('Invalid input received: Invalid sort key');
  const wanted = filters.map(([k, v]) => {
    // display_name is kept raw; boolean columns (bootable) have their own parsing (_check_boolean_filter_value).
    const evaluated = src.literalFilters && k !== 'display_name' && k !== 'bootable' ? literalFilterValue(v) : v;
    const list = Array.isArray(evaluated) ? evaluated : null;
    const one = list ? v : (evaluated as string);
    return { k, test: list ? (x: unknown) => list.some((each) => matches(x, each)) : (x: unknown) => matches(x, one) };
  });
  const rows = [...src.items].filter((it) => wanted.every(({ k, test }) => test(src.value(it, k))));
  rows.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const c = compare(src.value(a, keys[i] as string), src.value(b, keys[i] as string));
      if (c !== 0) return dirs[i] === 'desc' ? -c : c;
    }
    return 0;
  });
  const total = rows.length;
  let after = rows;
  if (p.marker !== undefined) {
    // (k1 > m1) or (k1 = m1 and k2 > m2) ...: each side's NULL read as the column's default, the ORDER BY unchanged.
    const marker = src.requireMarker(p.marker);
    const coalesced = (row: T, k: string) => src.value(row, k) ?? columnDefault(k);
    const at = keys.map((k) => coalesced(marker, k));
    after = rows.filter((r) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compare(coalesced(r, keys[i] as string), at[i]);
        if (c !== 0) return dirs[i] === 'desc' ? c < 0 : c > 0;
      }
      return false;
    });
  }
  return { page: after.slice(p.offset, p.offset + p.limit), total };
}

/**
 * The `_get_collection_links` next link. `collection` is the view builder's collection name, so a `/detail`
 * listing links to the summary path (as real Cinder does). Query parameters are kept; `marker` goes last.
 */
export function nextLinks(
  linkBase: string,
  collection: string,
  query: URLSearchParams,
  items: { id: string }[],
): { rel: string; href: string }[] | undefined {
  const raw = query.get('limit');
  let limit = MAX_LIMIT;
  if (raw !== null && /^\s*\d+\s*$/.test(raw)) limit = Math.min(Number(raw), MAX_LIMIT);
  const last = items[items.length - 1];
  if (!last || limit > items.length) return undefined;
  const params = new URLSearchParams();
  for (const [k, v] of query) if (k !== 'marker') params.append(k, v);
  params.append('marker', last.id);
  return [{ rel: 'next', href: `${linkBase}/${collection}?${params.toString()}` }];
}
