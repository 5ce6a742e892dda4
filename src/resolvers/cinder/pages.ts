import { InputError, UpstreamError } from '../../errors.js';
import { type Connection, type TotalCount, badCursor, connection, cursorParts, keyedCursor } from '../../graphql/connections.js';
import type { Query } from '../../upstreams/http.js';
import type { ListOptions } from '../../upstreams/cinder/client.js';
import type { CinderPage } from '../../upstreams/cinder/types.js';
import { CINDER_PAGE_LIMIT, readMarkerPages, readPagesAtOnce } from '../../upstreams/paging.js';
import { resumeIndex, resumeWindow } from '../resume.js';

/** A `sort: { key, direction }` argument as the schema hands it over. */
export interface SortArg {
  key: string;
  direction?: 'ASC' | 'DESC' | null;
}

// Cinder's marker criteria (sqlalchemyutils.paginate_query) read a NULL sort value as '' while PostgreSQL orders
// NULLs last ascending and first descending: a marker page sorted by name skips every unnamed group (seen on Zed).
// Pages sorted by a column that may be NULL are read by offset instead, which follows the ORDER BY itself.
const NULLABLE_SORT_KEYS = new Set(['name']);

/** Which Cinder listing a cursor is of: groups, group snapshots (any group's or one group's), volumes. */
export type CinderKind = 'g' | 's' | 'v';

/** Where a page starts: after a marker (an id), or at an offset (sorted by a nullable column). */
export interface Position {
  marker?: string;
  offset?: number;
  /** Cinder's `sort=key:dir`, when one was asked for. */
  sort?: string;
  /** The listing the cursor is of (none for an old `m:` or `o:` cursor). */
  kind?: CinderKind;
  /** Paged by offset: the id of the item at the cursor, looked for around `offset` (see resume.ts). */
  lastId?: string;
  /** The group a group snapshot cursor's listing was of (a group's snapshots, or the project's filtered by one). */
  scope?: string;
  /** The marker's own position, where the page starts instead when the marker is gone (not known: old cursor). */
  at?: number;
  /** The item that followed the cursor's, where the page starts when that one is gone (see resume.ts). */
  nextId?: string;
}

/** The page position an `after` cursor names under `sort`; a cursor of another kind is BAD_USER_INPUT. */
export function position(after: string | null | undefined, sort: SortArg | null | undefined, kind?: CinderKind): Position {
  const key = sort?.key.toLowerCase();
  const wire = sort ? `${key}:${(sort.direction ?? 'DESC').toLowerCase()}` : undefined;
  const byOffset = key !== undefined && NULLABLE_SORT_KEYS.has(key);
  const pos: Position = wire ? { sort: wire } : {};
  if (after === null || after === undefined) return byOffset ? { ...pos, offset: 0 } : pos;
  const parts = cursorParts(after);
  pos.kind = parts.kind as CinderKind | undefined;
  pos.scope = parts.scope;
  if (kind !== undefined) expectKind(pos, kind);
  // An offset under another sort names another item, and a marker under a nullable sort skips the NULL rows.
  if (byOffset !== (parts.form === 'o' || parts.form === 'p')) throw badCursor();
  pos.nextId = parts.nextId;
  return byOffset ? { ...pos, offset: parts.offset! + 1, lastId: parts.id } : { ...pos, marker: parts.id, at: parts.offset };
}

/** BAD_USER_INPUT when the cursor is of another listing (Query.groups cannot say so early: checked at its read). */
export function expectKind(pos: Pick<Position, 'kind'>, kind: CinderKind): void {
  if (pos.kind !== undefined && pos.kind !== kind) {
    throw new InputError(`Invalid "after" cursor: it is a cursor of ${KIND_NAMES[pos.kind] ?? 'another listing'}, not of ${KIND_NAMES[kind]}.`);
  }
}

const KIND_NAMES: Record<CinderKind, string> = { g: 'groups', s: 'group snapshots', v: 'volumes' };

/** The position as a page key part, for the planner's page memory. */
export const positionKey = (p: Position) => [p.marker ?? null, p.offset ?? null, p.sort ?? null];

/** What a listing's cursors carry: its kind, and for group snapshots the group (see CursorParts). */
export interface CursorSpec<T> {
  kind: CinderKind;
  scopeOf?: (item: T) => string | undefined;
  /** One item by id (null: gone): where a page goes on from when its cursor's item is gone (see readPage). */
  show?: (id: string) => Promise<T | null>;
}

/**
 * One page of `first` items from `pos`, asking for one more to know whether more follow. Cinder caps `limit`
 * silently (osapi_max_limit) but says more exist, so a short page is read on (by marker, or by what was read).
 * `count` answers totalCount past the first page.
 */
export async function cinderConnection<T extends { id: string }>(
  list: (o: ListOptions) => Promise<CinderPage<T>>,
  first: number,
  pos: Position,
  filters: Query,
  count: (filters: Query) => Promise<number | null>,
  /** How many items the listing is known to hold at least (0: not known); see `readPagesAtOnce`. */
  knownSize = 0,
  // Query.groups passes none: its cursors are of the groups.
  spec: CursorSpec<T> = { kind: 'g' },
): Promise<Connection<T>> {
  expectKind(pos, spec.kind);
  const query = pos.sort ? { ...filters, sort: pos.sort } : filters;
  const { items, base } = await readPage(list, first + 1, pos, query, knownSize, spec.show);
  const hasNextPage = items.length > first;
  const firstPage = pos.marker === undefined && !pos.offset;
  const form = pos.offset !== undefined ? 'p' : 'k';
  // Cinder cannot count groups: free when this first page holds them all, else counted on demand (without the
  // sort: the count pages by marker, which a sort by a nullable column would break).
  const totalCount: TotalCount = firstPage && !hasNextPage ? items.length : () => count(filters);
  return connection(items.slice(0, first), {
    cursorOf: (item, i, next) => keyedCursor(form, spec.kind, base === undefined ? undefined : base + i, item.id, spec.scopeOf?.(item), next?.id),
    following: items[first],
    hasNextPage,
    hasPreviousPage: !firstPage,
    totalCount,
  });
}

/** `want` items from `pos`, and the position of the first (unknown after an old cursor). */
async function readPage<T extends { id: string }>(
  list: (o: ListOptions) => Promise<CinderPage<T>>,
  want: number,
  pos: Position,
  query: Query,
  knownSize: number,
  show?: (id: string) => Promise<T | null>,
): Promise<{ items: T[]; base?: number }> {
  if (pos.offset !== undefined) return readResuming(list, want, pos, query, knownSize);
  const base = pos.marker === undefined ? 0 : pos.at === undefined ? undefined : pos.at + 1;
  try {
    return { items: await readAt(list, want, pos, query, knownSize), base };
  } catch (err) {
    if (pos.marker === undefined || !markerGone(err, pos.marker)) throw err;
    // From the item that followed it, when the cursor names one that is still there: a cursor's position is only
    // as good as the pages before it (each counted on from the last), and changes before it moved the page
    // (paging probe of 2026-12-08: six groups skipped after five deletions, one a page).
    if (pos.nextId !== undefined && show && heldInPlace(pos, query)) {
      const items = await fromItem(list, want, pos, pos.nextId, query, show);
      // Positions go on from the cursor's as before: the best guess there is, read only if this item goes too.
      if (items) return { items, base: pos.at };
    }
    // Cinder answers 404 for a marker it does not have (the item at the cursor was deleted since, or the cursor is
    // forged): the items that followed it moved up one place, to its own position, where the page now starts.
    if (pos.at === undefined) {
      throw new InputError('Invalid "after" cursor: its item no longer exists (or it is not of this listing); start again from the first page.');
    }
    // Around the marker's position by offset, from the item that followed it when the cursor names one.
    if (pos.nextId !== undefined) return readResuming(list, want, { sort: pos.sort, offset: pos.at + 1, lastId: pos.marker, nextId: pos.nextId }, query, knownSize);
    return { items: await readAt(list, want, { sort: pos.sort, offset: pos.at }, query, knownSize), base: pos.at };
  }
}

/**
 * Whether an item read by its id is where the listing would have it: sorted by what never changes (its creation, its
 * id), and filtered by nothing it may change (a status, a name, a volume's group; review of 2026-12-08: an available
 * volume opened a page of the `error` ones). Otherwise the page is found around the cursor's position, as before.
 */
function heldInPlace(pos: Position, query: Query): boolean {
  const key = pos.sort?.split(':')[0];
  if (key !== undefined && key !== 'created_at' && key !== 'id') return false;
  return Object.entries(query).every(([k, v]) => v == null || k === 'project_id' || k === 'sort' || (k === 'group_id' && pos.kind === 's'));
}

/** `want` items from item `id` on (its show, and the listing after it by marker); null when it is gone too. */
async function fromItem<T extends { id: string }>(
  list: (o: ListOptions) => Promise<CinderPage<T>>,
  want: number,
  pos: Position,
  id: string,
  query: Query,
  show: (id: string) => Promise<T | null>,
): Promise<T[] | null> {
  const gone = (err: unknown) => (markerGone(err, id) ? null : Promise.reject(err));
  const [head, rest] = await Promise.all([show(id), want > 1 ? readAt(list, want - 1, { sort: pos.sort, marker: id }, query, 0).catch(gone) : []]);
  return head && rest ? [head, ...rest] : null;
}

/** An offset page: from a few items before the cursor's position, on after its item when found (resume.ts). */
async function readResuming<T extends { id: string }>(
  list: (o: ListOptions) => Promise<CinderPage<T>>,
  want: number,
  pos: Position,
  query: Query,
  knownSize: number,
): Promise<{ items: T[]; base: number }> {
  const start = pos.offset ?? 0;
  const { from, extra } = resumeWindow(start, pos.lastId);
  const read = await readAt(list, want + extra, { ...pos, offset: from }, query, knownSize);
  const at = resumeIndex(read, pos.lastId, start, from, want, want + extra, pos.nextId);
  return { items: read.slice(at, at + want), base: from + at };
}

/** Cinder's 404 for the marker itself, not for the listing (a router 404 or an older microversion's). */
function markerGone(err: unknown, marker: string): boolean {
  return err instanceof UpstreamError && err.status === 404 && err.message.includes(marker);
}

async function readAt<T extends { id: string }>(
  list: (o: ListOptions) => Promise<CinderPage<T>>,
  want: number,
  pos: Position,
  query: Query,
  knownSize: number,
): Promise<T[]> {
  const start = pos.offset ?? 0;
  // A page past what Cinder answers at once, of a listing known to be longer than that: its upstream pages
  // leave together (offsets after the position). Otherwise the second page is asked only if the first was full.
  const atOnce =
    want > CINDER_PAGE_LIMIT && knownSize > CINDER_PAGE_LIMIT
      ? await readPagesAtOnce((offset, limit) => list({ limit, marker: pos.marker, offset: start + offset || undefined, filters: query }), want)
      : null;
  if (atOnce) return atOnce.items;
  let read = 0;
  const byOffset = async (limit: number) => {
    const p = await list({ limit, offset: start + read || undefined, filters: query });
    read += p.items.length;
    return p;
  };
  const byMarker = (limit: number, marker: string | undefined) => list({ limit, marker, filters: query });
  return (await readMarkerPages('cinder', pos.offset !== undefined ? byOffset : byMarker, want, pos.marker)).items;
}
