import type DataLoader from 'dataloader';
import type { RequestContext } from '../../context.js';
import { type Connection, type OffsetListing, connection, offsetAfter, offsetCursor, pageSize } from '../../graphql/connections.js';
import type { SdrsMemberKind, SdrsMemberTypes } from '../../upstreams/sdrs/client.js';
import { following, readOffsetPages } from '../../upstreams/sdrs/paging.js';
import { resumeIndex, resumeWindow } from '../resume.js';

const WHAT: Record<SdrsMemberKind, string> = {
  instances: 'protected instances',
  pairs: 'replication pairs',
  drills: 'DR drills',
};

const LISTING: Record<SdrsMemberKind, OffsetListing> = {
  instances: 'ProtectionGroup.protectedInstances',
  pairs: 'ProtectionGroup.replicationPairs',
  drills: 'ProtectionGroup.drills',
};

/**
 * One page of a group's members as a connection. The first page comes from the per-request by-group loader, which
 * reads the members of every group of the query together (see src/upstreams/sdrs/loaders.ts); a later page (an
 * `after` cursor) is one filtered, offset-paged listing of this group, with SDRS's `count` as the total. Cursors
 * name their member, so a page goes on after it when members were added or removed in between (resume.ts), and
 * their kind and group, so that another group's (or kind's) cursor is refused before the listing.
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
  const scope = { listing: LISTING[kind], parentId: groupId };
  const { start, lastId, nextId } = offsetAfter(args.after, scope);
  if (start === 0) {
    const all = await byGroup.load(groupId);
    return connection(all.slice(0, first), {
      cursorOf: (m, i, next) => offsetCursor(scope, i, m.id, next?.id),
      following: all[first],
      hasNextPage: all.length > first,
      hasPreviousPage: false,
      totalCount: all.length,
    });
  }
  const { client } = ctx.sdrs();
  const { from, extra } = resumeWindow(start, lastId);
  const asked = first + extra + following(first + extra);
  const page = await readOffsetPages(
    (limit, offset) => client.listMembers(ctx.caller, kind, { limit, offset, filters: { server_group_id: groupId } }),
    from,
    asked,
    50,
    WHAT[kind],
  );
  const at = resumeIndex(page.items, lastId, start, from, first, asked, nextId);
  const items = page.items.slice(at, at + first) as T[];
  for (const m of items) byId.prime(m.id, m);
  const end = from + at + items.length;
  return connection(items, {
    cursorOf: (m, i, next) => offsetCursor(scope, from + at + i, m.id, next?.id),
    following: page.items[at + first] as T | undefined,
    hasNextPage: page.count !== null ? end < page.count : page.hasMore || page.items.length > at + first,
    hasPreviousPage: true,
    totalCount: page.count,
  });
}
