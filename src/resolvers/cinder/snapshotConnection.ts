import { type Connection, type TotalCount, connection, markerCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { type Position, cinderConnection } from './pages.js';

function build(items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: TotalCount) {
  return connection(items, { cursorOf: (s) => markerCursor(s.id), hasNextPage, hasPreviousPage, totalCount });
}

/** Reads one page of group snapshots from `pos` (after a marker, or at an offset under a sort). */
function fromUpstream(
  client: CinderClient,
  caller: Caller,
  first: number,
  pos: Position,
  filters: Record<string, string | undefined>,
): Promise<Connection<CinderGroupSnapshot>> {
  return cinderConnection(
    (o) => client.listGroupSnapshots(caller, o),
    first,
    pos,
    filters,
    (f) => client.count((o) => client.listGroupSnapshotSummaries(caller, o), f),
  );
}

export const snapshotConnection = Object.assign(build, { fromUpstream });
