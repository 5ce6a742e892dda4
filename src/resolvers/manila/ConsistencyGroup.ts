import type { ConsistencyGroupResolvers } from '../../generated/graphql.js';
import { consistencyGroupStatus } from './statuses.js';
import { presentNow } from '../present.js';

export const ConsistencyGroup: ConsistencyGroupResolvers = {
  status: (g) => consistencyGroupStatus(g.status),
  rawStatus: (g) => g.status,
  createdAt: (g) => g.created_at,
  projectId: (g) => g.project_id ?? null,
  shareTypes: (g, _, ctx) => presentNow(ctx.manila().loaders.shareTypeById.manyNow(g.share_types ?? [])),
  shareNetwork: (g, _, ctx) => (g.share_network_id ? ctx.manila().loaders.shareNetworkById.load(g.share_network_id) : null),
  sourceSnapshot: (g, _, ctx) => (g.source_cgsnapshot_id ? ctx.manila().loaders.cgSnapshotById.load(g.source_cgsnapshot_id) : null),
  snapshots: (g, _, ctx) => ctx.manila().loaders.cgSnapshotsByConsistencyGroupId.load(g.id),
  shares: (g, _, ctx) => ctx.manila().loaders.sharesByConsistencyGroupId.load(g.id),
};
