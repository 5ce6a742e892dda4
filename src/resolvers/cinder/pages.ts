import {
  type Connection,
  type TotalCount,
  connection,
  markerCursor,
  markerFromCursor,
  offsetCursor,
  offsetFromCursor,
} from '../../graphql/connections.js';
import type { Query } from '../../upstreams/http.js';
import type { ListOptions } from '../../upstreams/cinder/client.js';
import type { CinderPage } from '../../upstreams/cinder/types.js';
import { CINDER_PAGE_LIMIT, readMarkerPages, readPagesAtOnce } from '../../upstreams/paging.js';

/** A `sort: { key, direction }` argument as the schema hands it over. */
export interface SortArg {
  key: string;
  direction?: 'ASC' | 'DESC' | null;
}

// Cinder's marker criteria (sqlalchemyutils.paginate_query) read a NULL sort value as '' while PostgreSQL orders
// NULLs last ascending and first descending: a marker page sorted by name skips every unnamed group (seen on Zed).
// Pages sorted by a column that may be NULL are read by offset instead, which follows the ORDER BY itself.
const NULLABLE_SORT_KEYS = new Set(['name']);

/** Where a page starts: after a marker (an id), or at an offset (sorted by a nullable column). */
export interface Position {
  marker?: string;
  offset?: number;
  /** Cinder's `sort=key:dir`, when one was asked for. */
  sort?: string;
}

/** The page position an `after` cursor names under `sort`; a cursor of the other kind is BAD_USER_INPUT. */
export function position(after: string | null | undefined, sort: SortArg | null | undefined): Position {
  if (!sort) return { marker: markerFromCursor(after) };
  const key = sort.key.toLowerCase();
  const wire = `${key}:${(sort.direction ?? 'DESC').toLowerCase()}`;
  return NULLABLE_SORT_KEYS.has(key) ? { offset: offsetFromCursor(after), sort: wire } : { marker: markerFromCursor(after), sort: wire };
}

/** The position as a page key part, for the planner's page memory. */
export const positionKey = (p: Position) => [p.marker ?? null, p.offset ?? null, p.sort ?? null];

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
): Promise<Connection<T>> {
  const query = pos.sort ? { ...filters, sort: pos.sort } : filters;
  const start = pos.offset ?? 0;
  // A page past what Cinder answers at once, of a listing known to be longer than that: its upstream pages
  // leave together (offsets after the position). Otherwise the second page is asked only if the first was full.
  const atOnce =
    first + 1 > CINDER_PAGE_LIMIT && knownSize > CINDER_PAGE_LIMIT
      ? await readPagesAtOnce((offset, limit) => list({ limit, marker: pos.marker, offset: start + offset || undefined, filters: query }), first + 1)
      : null;
  let read = 0;
  const page =
    atOnce ??
    (await readMarkerPages(
      'cinder',
      pos.offset !== undefined
        ? async (limit) => {
            const p = await list({ limit, offset: start + read || undefined, filters: query });
            read += p.items.length;
            return p;
          }
        : (limit, marker) => list({ limit, marker, filters: query }),
      first + 1,
      pos.marker,
    ));
  const hasNextPage = page.items.length > first;
  const firstPage = pos.marker === undefined && !pos.offset;
  // Cinder cannot count groups: free when this first page holds them all, else counted on demand (without the
  // sort: the count pages by marker, which a sort by a nullable column would break).
  const totalCount: TotalCount = firstPage && !hasNextPage ? page.items.length : () => count(filters);
  return connection(page.items.slice(0, first), {
    cursorOf: pos.offset !== undefined ? (_, i) => offsetCursor(start + i) : (item) => markerCursor(item.id),
    hasNextPage,
    hasPreviousPage: !firstPage,
    totalCount,
  });
}
