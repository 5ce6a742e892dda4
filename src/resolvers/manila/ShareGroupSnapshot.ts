import type { ShareGroupSnapshotMemberResolvers, ShareGroupSnapshotResolvers } from '../../generated/graphql.js';
import { shareGroupSnapshotStatus } from './statuses.js';
import { projectIdOf, projectOf } from '../identity/project.js';

export const ShareGroupSnapshot: ShareGroupSnapshotResolvers = {
  status: (s) => shareGroupSnapshotStatus(s.status),
  rawStatus: (s) => s.status,
  createdAt: (s) => s.created_at,
  projectId: (s, _, ctx) => projectIdOf(s, ctx),
  project: (s, _, ctx) => projectOf(s, ctx),
  shareGroup: (s, _, ctx) => ctx.manila().loaders.shareGroupById.now(s.share_group_id),
  // The detail view embeds {id, size, share_id} per member: no extra call.
  members: (s) => s.members ?? [],
};

export const ShareGroupSnapshotMember: ShareGroupSnapshotMemberResolvers = {
  size: (m) => m.size ?? null,
  shareId: (m) => m.share_id,
  share: (m, _, ctx) => ctx.manila().loaders.shareById.load(m.share_id),
};
