import type { ShareGroupResolvers } from '../../generated/graphql.js';
import { offsetFromCursor, pageSize } from '../../graphql/connections.js';
import { consistentSnapshotSupport, shareGroupStatus } from './statuses.js';
import { offsetConnection, sliceConnection } from './offsetConnection.js';
import { presentNow } from '../present.js';
import { manilaZoneNamed } from './portal.js';
import { projectIdOf, projectOf } from '../identity/project.js';
import type { RequestContext } from '../../context.js';

/** The loaders of this share group's children: read across projects, filtered to it, when it is another project's. */
const childrenOf = (g: { project_id?: string | null }, ctx: RequestContext) =>
  ctx.manila().loaders.childrenOf(g.project_id, ctx.identity?.project?.id);

export const ShareGroup: ShareGroupResolvers = {
  status: (g) => shareGroupStatus(g.status),
  rawStatus: (g) => g.status,
  createdAt: (g) => g.created_at,
  projectId: (g, _, ctx) => projectIdOf(g, ctx),
  project: (g, _, ctx) => projectOf(g, ctx),
  availabilityZone: (g) => g.availability_zone ?? null,
  zone: (g, _, ctx) => manilaZoneNamed(ctx, g.availability_zone),
  consistentSnapshotSupport: (g) => consistentSnapshotSupport(g.consistent_snapshot_support),
  shareServerId: (g) => g.share_server_id ?? null,
  shareGroupType: (g, _, ctx) => ctx.manila().loaders.shareGroupTypeById.now(g.share_group_type_id),
  shareTypes: (g, _, ctx) => presentNow(ctx.manila().loaders.shareTypeById.manyNow(g.share_types ?? [])),
  shareNetwork: (g, _, ctx) => (g.share_network_id ? ctx.manila().loaders.shareNetworkById.load(g.share_network_id) : null),
  sourceShareGroupSnapshot: (g, _, ctx) =>
    g.source_share_group_snapshot_id ? ctx.manila().loaders.shareGroupSnapshotById.load(g.source_share_group_snapshot_id) : null,
  snapshots: async (g, args, ctx) => {
    const { client } = ctx.manila();
    const kids = childrenOf(g, ctx);
    const scope = { listing: 'ShareGroup.snapshots', parentId: g.id } as const;
    if (offsetFromCursor(args.after, scope) === 0) {
      // First page: the per-request loader batches every group of the query into as few listings as it can.
      return sliceConnection(await kids.snapshotsByShareGroupId.load(g.id), pageSize(args.first), scope);
    }
    const filters = { share_group_id: g.id };
    return offsetConnection(
      client,
      args,
      scope,
      (o) => client.listShareGroupSnapshots(kids.caller, o),
      () => client.count((o) => client.listShareGroupSnapshotSummaries(kids.caller, o), filters),
      filters,
    );
  },
  shares: (g, _, ctx) => childrenOf(g, ctx).sharesByShareGroupId.load(g.id),
};
