import type { ConsistencyGroupSnapshotMemberResolvers, ConsistencyGroupSnapshotResolvers } from '../../generated/graphql.js';
import { consistencyGroupStatus } from './statuses.js';

export const ConsistencyGroupSnapshot: ConsistencyGroupSnapshotResolvers = {
  status: (s) => consistencyGroupStatus(s.status),
  rawStatus: (s) => s.status,
  createdAt: (s) => s.created_at,
  projectId: (s) => s.project_id ?? null,
  consistencyGroup: (s, _, ctx) => ctx.manila().loaders.consistencyGroupById.load(s.consistency_group_id),
  // Unlike share group snapshots, the cgsnapshot view carries no members: one /members call per snapshot.
  members: (s, _, ctx) => ctx.manila().loaders.membersByCgSnapshotId.load(s.id),
};

export const ConsistencyGroupSnapshotMember: ConsistencyGroupSnapshotMemberResolvers = {
  size: (m) => m.size ?? null,
  protocol: (m) => m.share_protocol ?? null,
  createdAt: (m) => m.created_at,
  shareId: (m) => m.share_id,
  share: (m, _, ctx) => ctx.manila().loaders.shareById.load(m.share_id),
};
