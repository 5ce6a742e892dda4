import { type Connection, type TotalCount, connection, markerCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { readMarkerPages } from '../../upstreams/paging.js';

function build(items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: TotalCount) {
  return connection(items, { cursorOf: (s) => markerCursor(s.id), hasNextPage, hasPreviousPage, totalCount });
}

/** Reads one page of group snapshots with limit/marker, asking for one extra item to know whether more follow. */
async function fromUpstream(
  client: CinderClient,
  caller: Caller,
  first: number,
  marker: string | undefined,
  filters: Record<string, string | undefined>,
): Promise<Connection<CinderGroupSnapshot>> {
  const page = await readMarkerPages(
    'cinder',
    (limit, m) => client.listGroupSnapshots(caller, { limit, marker: m, filters }),
    first + 1,
    marker,
  );
  const hasNextPage = page.items.length > first;
  // Cinder cannot count; when this first page holds everything the count is free, otherwise count on demand.
  const total: TotalCount =
    marker === undefined && !hasNextPage
      ? page.items.length
      : () => client.count((o) => client.listGroupSnapshotSummaries(caller, o), filters);
  return build(page.items.slice(0, first), hasNextPage, marker !== undefined, total);
}

export const snapshotConnection = Object.assign(build, { fromUpstream });
