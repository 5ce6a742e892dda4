import { type Connection, type OffsetScope, type TotalCount, connection, offsetAfter, offsetCursor, pageSize } from '../../graphql/connections.js';
import { resumeIndex, resumeWindow } from '../resume.js';
import type { Query } from '../../upstreams/http.js';
import type { ListOptions, ManilaClient } from '../../upstreams/manila/client.js';

export interface OffsetConnectionArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * One page of a Manila listing as a connection. Offsets are computed here (Manila's next links are broken on
 * Zed), one item more than asked tells whether a next page exists, and the count is free whenever the page
 * reaches the end of the listing; otherwise `count` runs only if the query asks for `totalCount`.
 */
export async function offsetConnection<T extends { id: string }>(
  client: ManilaClient,
  args: OffsetConnectionArgs,
  /** The listing (and parent) the page is of: its cursors name it, and `after` must. */
  scope: OffsetScope,
  list: (o: ListOptions) => Promise<T[]>,
  count: (() => Promise<number | null>) | null,
  filters?: Query,
  /** How many items the listing is known to hold at least: a long page reads its upstream pages at once. */
  knownSize = 0,
): Promise<Connection<T>> {
  const first = pageSize(args.first);
  const { start, lastId, nextId } = offsetAfter(args.after, scope);
  // A few items around the cursor's position too: the page goes on after the item the cursor was on (resume.ts).
  const { from, extra } = resumeWindow(start, lastId);
  const read = await client.read(list, from, first + 1 + extra, filters, knownSize);
  const at = resumeIndex(read.items, lastId, start, from, first + 1, first + 1 + extra, nextId);
  const hasNextPage = read.items.length - at > first;
  const items = read.items.slice(at, at + first);
  const positions = read.positions.slice(at, at + first);
  const last = positions[positions.length - 1];
  // The page reaches the end of the listing: the count is known without asking (past the end it is not).
  const reachedEnd = !hasNextPage && (last !== undefined || start === 0);
  const total: TotalCount = reachedEnd ? (last ?? -1) + 1 : (count ?? null);
  return connection(items, {
    cursorOf: (item, i, next) => offsetCursor(scope, positions[i] ?? start + i, item.id, next?.id),
    following: hasNextPage ? read.items[at + first] : undefined,
    hasNextPage,
    hasPreviousPage: start > 0,
    totalCount: total,
  });
}

/** A connection over a list already in memory (the first page of a link served by a batching loader). */
export function sliceConnection<T extends { id: string }>(all: T[], first: number, scope: OffsetScope): Connection<T> {
  return connection(all.slice(0, first), {
    cursorOf: (item, i, next) => offsetCursor(scope, i, item.id, next?.id),
    following: all[first],
    hasNextPage: all.length > first,
    hasPreviousPage: false,
    totalCount: all.length,
  });
}
