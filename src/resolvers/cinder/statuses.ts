import type { GroupSnapshotStatus, GroupStatus, ReplicationStatus, VolumeSnapshotStatus } from '../../generated/graphql.js';
import { enumValue } from '../../graphql/scalars.js';

const GROUP: GroupStatus[] = ['CREATING', 'AVAILABLE', 'UPDATING', 'DELETING', 'DELETED', 'ERROR', 'ERROR_DELETING', 'IN_USE'];
const SNAPSHOT: GroupSnapshotStatus[] = ['CREATING', 'AVAILABLE', 'UPDATING', 'DELETING', 'DELETED', 'ERROR', 'ERROR_DELETING'];
const VOLUME_SNAPSHOT: VolumeSnapshotStatus[] = [
  'CREATING', 'AVAILABLE', 'UPDATING', 'DELETING', 'DELETED', 'ERROR', 'ERROR_DELETING', 'UNMANAGING', 'BACKING_UP', 'RESTORING',
];
const REPLICATION: ReplicationStatus[] = [
  'ENABLED', 'DISABLED', 'NOT_CAPABLE', 'ENABLING', 'DISABLING', 'FAILING_OVER', 'FAILED_OVER', 'FAILOVER_ERROR', 'ERROR',
];

export const groupStatus = (raw: string): GroupStatus => enumValue(raw, GROUP);
export const groupSnapshotStatus = (raw: string): GroupSnapshotStatus => enumValue(raw, SNAPSHOT);
export const replicationStatus = (raw: string | null | undefined): ReplicationStatus | null =>
  raw ? enumValue(raw, REPLICATION) : null;
export const volumeSnapshotStatus = (raw: string): VolumeSnapshotStatus => enumValue(raw, VOLUME_SNAPSHOT);
