import type { VolumeSnapshotResolvers } from '../../generated/graphql.js';
import { projectIdOf } from '../identity/project.js';
import { volumeSnapshotStatus } from './statuses.js';

export const VolumeSnapshot: VolumeSnapshotResolvers = {
  status: (s) => volumeSnapshotStatus(s.status),
  rawStatus: (s) => s.status,
  progress: (s) => s['os-extended-snapshot-attributes:progress'] ?? null,
  createdAt: (s) => s.created_at,
  projectId: (s, _, ctx) => projectIdOf({ project_id: s['os-extended-snapshot-attributes:project_id'] }, ctx),
  // Batched: the volumes of a page of group snapshots' snapshots are one bounded listing (byIdOrListing).
  volume: (s, _, ctx) => ctx.cinder().loaders.volumeById.load(s.volume_id),
  groupSnapshot: (s, _, ctx) => (s.group_snapshot_id ? ctx.cinder().loaders.groupSnapshotById.load(s.group_snapshot_id) : null),
};
