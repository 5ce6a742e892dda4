import type { GroupResolvers } from '../../generated/graphql.js';
import { pageSize } from '../../graphql/connections.js';
import { position } from './pages.js';
import { groupStatus, replicationStatus } from './statuses.js';
import { snapshotConnection } from './snapshotConnection.js';
import { projectIdOf, projectOf } from '../identity/project.js';
import { cinderZoneNamed } from './portal.js';
import { presentNow } from '../present.js';
import type { RequestContext } from '../../context.js';

/** The loaders of this group's children: read across projects, filtered to it, when it is another project's. */
export const childrenOf = (o: { project_id?: string | null }, ctx: RequestContext) =>
  ctx.cinder().loaders.childrenOf(o.project_id, ctx.identity?.project?.id);

export const Group: GroupResolvers = {
  status: (g) => groupStatus(g.status),
  rawStatus: (g) => g.status,
  availabilityZone: (g) => g.availability_zone,
  createdAt: (g) => g.created_at,
  projectId: (g, _, ctx) => projectIdOf(g, ctx),
  project: (g, _, ctx) => projectOf(g, ctx),
  groupType: (g, _, ctx) => ctx.cinder().loaders.groupTypeById.now(g.group_type),
  volumeTypes: (g, _, ctx) => presentNow(ctx.cinder().loaders.volumeTypeById.manyNow(g.volume_types ?? [])),
  volumes: (g, _, ctx) => childrenOf(g, ctx).volumesByGroupId.load(g.id),
  snapshots: async (g, args, ctx) => {
    const first = pageSize(args.first);
    const pos = position(args.after, null, 's');
    const kids = childrenOf(g, ctx);
    if (pos.marker === undefined) {
      // First page: the per-request loader batches every group of the query into as few listings as it can.
      const all = await kids.snapshotsByGroupId.load(g.id);
      return snapshotConnection(g.id, all.slice(0, first), all.length > first, false, all.length, all[first]);
    }
    return snapshotConnection.fromUpstream(ctx.cinder().client, kids.caller, first, pos, { group_id: g.id });
  },
  sourceGroup: (g, _, ctx) => (g.source_group_id ? ctx.cinder().loaders.groupById.load(g.source_group_id) : null),
  sourceGroupSnapshot: (g, _, ctx) =>
    g.group_snapshot_id ? ctx.cinder().loaders.groupSnapshotById.load(g.group_snapshot_id) : null,
  replicationStatus: (g) => replicationStatus(g.replication_status),
  rawReplicationStatus: (g) => g.replication_status ?? null,
  replicationTargets: (g, _, ctx) => ctx.cinder().loaders.replicationTargetsByGroupId.load(g.id),
  zone: (g, _, ctx) => cinderZoneNamed(ctx, g.availability_zone),
};
