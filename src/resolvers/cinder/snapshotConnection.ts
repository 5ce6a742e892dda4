import { type Connection, connection, markerCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { readMarkerPages } from '../../upstreams/paging.js';

function build(items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: number | null) {
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
    (limit, m) => client.listGroupSnapshots(caller, { limit, marker: m, filters, withCount: true }),
    first + 1,
    marker,
  );
  return build(page.items.slice(0, first), page.items.length > first, marker !== undefined, page.count);
}

export const snapshotConnection = Object.assign(build, { fromUpstream });
