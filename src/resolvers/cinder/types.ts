import type {
  GroupSnapshotResolvers,
  GroupTypeResolvers,
  ReplicationTargetResolvers,
  VolumeResolvers,
  VolumeTypeResolvers,
} from '../../generated/graphql.js';
import { groupSnapshotStatus } from './statuses.js';
import { keyValues } from './keyValues.js';
import { projectIdOf, projectOf } from '../identity/project.js';
import { cinderZoneNamed } from './portal.js';
import { childrenOf } from './Group.js';

export const GroupSnapshot: GroupSnapshotResolvers = {
  status: (s) => groupSnapshotStatus(s.status),
  rawStatus: (s) => s.status,
  createdAt: (s) => s.created_at,
  projectId: (s, _, ctx) => projectIdOf(s, ctx),
  project: (s, _, ctx) => projectOf(s, ctx),
  group: (s, _, ctx) => ctx.cinder().loaders.groupById.now(s.group_id),
  groupType: (s, _, ctx) => ctx.cinder().loaders.groupTypeById.now(s.group_type_id),
  volumeSnapshots: (s, _, ctx) => childrenOf(s, ctx).volumeSnapshotsByGroupSnapshotId.load(s.id),
};

export const GroupType: GroupTypeResolvers = {
  isPublic: (t) => t.is_public,
  groupSpecs: (t) => keyValues(t.group_specs, 'cinder'),
};

export const VolumeType: VolumeTypeResolvers = {
  isPublic: (t) => t.is_public ?? t['os-volume-type-access:is_public'] ?? true,
  extraSpecs: (t) => keyValues(t.extra_specs, 'cinder'),
};

export const Volume: VolumeResolvers = {
  availabilityZone: (v) => v.availability_zone,
  createdAt: (v) => v.created_at,
  volumeTypeName: (v) => v.volume_type,
  volumeType: (v, _, ctx) => (v.volume_type_id ? ctx.cinder().loaders.volumeTypeById.now(v.volume_type_id) : null),
  group: (v, _, ctx) => (v.group_id ? ctx.cinder().loaders.groupById.now(v.group_id) : null),
  zone: (v, _, ctx) => cinderZoneNamed(ctx, v.availability_zone),
  replicationStatus: (v) => v.replication_status ?? null,
  bootable: (v) => (typeof v.bootable === 'string' ? v.bootable === 'true' : (v.bootable ?? null)),
};

// Only backend_id: for admins Cinder returns the whole replication_device config, credentials included.
export const ReplicationTarget: ReplicationTargetResolvers = {
  backendId: (t) => t.backend_id,
};
