import type DataLoader from 'dataloader';
import type { RequestContext } from '../../context.js';
import { type Connection, connection, offsetCursor, offsetFromCursor, pageSize } from '../../graphql/connections.js';
import type { SdrsMemberKind, SdrsMemberTypes } from '../../upstreams/sdrs/client.js';
import { readOffsetPages } from '../../upstreams/sdrs/paging.js';

const WHAT: Record<SdrsMemberKind, string> = {
  instances: 'protected instances',
  pairs: 'replication pairs',
  drills: 'DR drills',
};

/**
 * One page of a group's members as a connection. The first page comes from the per-request by-group loader, which
 * reads the members of every group of the query together (see src/upstreams/sdrs/loaders.ts); a later page (an
 * `after` cursor) is one filtered, offset-paged listing of this group, with SDRS's `count` as the total.
 */
export async function memberConnection<K extends SdrsMemberKind, T extends SdrsMemberTypes[K] = SdrsMemberTypes[K]>(
  ctx: RequestContext,
  kind: K,
  groupId: string,
  args: { first?: number | null; after?: string | null },
  byGroup: DataLoader<string, T[]>,
  byId: DataLoader<string, T | null>,
): Promise<Connection<T>> {
  const first = pageSize(args.first);
  const start = offsetFromCursor(args.after);
  if (start === 0) {
    const all = await byGroup.load(groupId);
    return connection(all.slice(0, first), {
      cursorOf: (_, i) => offsetCursor(i),
      hasNextPage: all.length > first,
      hasPreviousPage: false,
      totalCount: all.length,
    });
  }
  const { client } = ctx.sdrs();
  const page = await readOffsetPages(
    (limit, offset) => client.listMembers(ctx.caller, kind, { limit, offset, filters: { server_group_id: groupId } }),
    start,
    first,
    50,
    WHAT[kind],
  );
  for (const m of page.items) byId.prime(m.id, m as T);
  return connection(page.items as T[], {
    cursorOf: (_, i) => offsetCursor(start + i),
    hasNextPage: page.hasMore,
    hasPreviousPage: true,
    totalCount: page.count,
  });
}
