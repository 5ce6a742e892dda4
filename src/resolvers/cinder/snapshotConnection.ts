import { type Connection, type TotalCount, connection, keyedCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { type CursorSpec, type Position, cinderConnection } from './pages.js';

const SNAPSHOTS: CursorSpec<CinderGroupSnapshot> = { kind: 's' };

/** A first page already read (a group's snapshots from the batching loader): positions count from 0. */
function build(items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: TotalCount) {
  return connection(items, { cursorOf: (s, i) => keyedCursor('k', SNAPSHOTS.kind, i, s.id), hasNextPage, hasPreviousPage, totalCount });
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
    0,
    SNAPSHOTS,
  );
}

export const snapshotConnection = Object.assign(build, { fromUpstream });
