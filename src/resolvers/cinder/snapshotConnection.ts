import { InputError } from '../../errors.js';
import { type Connection, type TotalCount, connection, keyedCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { type CursorSpec, type Position, cinderConnection } from './pages.js';

// A snapshot's cursor names its group: a cursor of one group's snapshots is refused on another's (its marker
// would be read there against another group's order, a page of nothing or of the wrong snapshots).
const SNAPSHOTS: CursorSpec<CinderGroupSnapshot> = { kind: 's', scopeOf: (s) => s.group_id };

/** A first page already read (a group's snapshots from the batching loader): positions count from 0. */
function build(items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: TotalCount) {
  return connection(items, { cursorOf: (s, i) => keyedCursor('k', SNAPSHOTS.kind, i, s.id, s.group_id), hasNextPage, hasPreviousPage, totalCount });
}

/** Reads one page of group snapshots from `pos` (after a marker, or at an offset under a sort). */
function fromUpstream(
  client: CinderClient,
  caller: Caller,
  first: number,
  pos: Position,
  filters: Record<string, string | undefined>,
): Promise<Connection<CinderGroupSnapshot>> {
  if (pos.scope !== undefined && filters.group_id !== undefined && pos.scope.toLowerCase() !== filters.group_id.toLowerCase()) {
    return Promise.reject(new InputError(`Invalid "after" cursor: it is a cursor of group ${pos.scope}'s snapshots, not of group ${filters.group_id}'s.`));
  }
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
