import { InputError } from '../../errors.js';
import { type Connection, type TotalCount, connection, keyedCursor } from '../../graphql/connections.js';
import type { Caller } from '../../upstreams/caller.js';
import type { CinderClient } from '../../upstreams/cinder/client.js';
import type { CinderGroupSnapshot } from '../../upstreams/cinder/types.js';
import { nullIfNotFound } from '../../upstreams/loaders.js';
import { type CursorSpec, type Position, cinderConnection } from './pages.js';

// A snapshot's cursor names the group its listing was of (a group's snapshots, or the project's filtered by a
// group), none for the project's whole listing: a cursor is refused on a listing of another group or none (its
// position, and its marker's order, are another listing's; probe of 2026-12-08: a project-wide cursor on a group's
// snapshots skipped three of them once its item was deleted).
const snapshotsOf = (group: string | undefined, show: CursorSpec<CinderGroupSnapshot>['show']): CursorSpec<CinderGroupSnapshot> => ({ kind: 's', scopeOf: () => group, show });

/**
 * A group's first page already read (its snapshots from the batching loader): positions count from 0, and each
 * cursor names the snapshot after it, so a page whose snapshots were deleted still goes on from there.
 */
function build(group: string, items: CinderGroupSnapshot[], hasNextPage: boolean, hasPreviousPage: boolean, totalCount: TotalCount, following?: CinderGroupSnapshot) {
  return connection(items, { cursorOf: (s, i, next) => keyedCursor('k', 's', i, s.id, group, next?.id), following, hasNextPage, hasPreviousPage, totalCount });
}

/** Reads one page of group snapshots from `pos` (after a marker, or at an offset under a sort). */
function fromUpstream(
  client: CinderClient,
  caller: Caller,
  first: number,
  pos: Position,
  filters: Record<string, string | undefined>,
): Promise<Connection<CinderGroupSnapshot>> {
  const group = filters.group_id?.toLowerCase();
  // An old `m:` or `o:` cursor (no kind) names no listing: read as before. The project's whole listing takes any: its
  // cursors named their item's group until 2026-12-08.
  if (pos.kind !== undefined && group !== undefined && pos.scope?.toLowerCase() !== group) {
    const of = (g: string | undefined) => (g ? `group ${g}'s snapshots` : "the project's snapshots");
    return Promise.reject(new InputError(`Invalid "after" cursor: it is a cursor of ${of(pos.scope)}, not of ${of(group)}.`));
  }
  return cinderConnection(
    (o) => client.listGroupSnapshots(caller, o),
    first,
    pos,
    filters,
    (f) => client.count((o) => client.listGroupSnapshotSummaries(caller, o), f),
    0,
    snapshotsOf(group, (id) => nullIfNotFound(client.showGroupSnapshot(caller, id))),
  );
}

export const snapshotConnection = Object.assign(build, { fromUpstream });
