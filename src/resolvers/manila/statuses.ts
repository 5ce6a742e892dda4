import type {
  ConsistencyGroupStatus,
  ConsistentSnapshotSupport,
  ShareGroupSnapshotStatus,
  ShareGroupStatus,
  ShareStatus,
} from '../../generated/graphql.js';
import { enumValue } from '../../graphql/scalars.js';

// Manila's reset_status accepts exactly these for share groups (AdminActionsMixin.valid_statuses).
const SHARE_GROUP: ShareGroupStatus[] = [
  'CREATING', 'AVAILABLE', 'DELETING', 'ERROR', 'ERROR_DELETING', 'MIGRATING', 'MIGRATING_TO', 'SERVER_MIGRATING',
];
const SNAPSHOT: ShareGroupSnapshotStatus[] = ['CREATING', 'AVAILABLE', 'ERROR', 'DELETING', 'ERROR_DELETING'];
// manila/common/constants.py, the statuses a share itself can have.
const SHARE: ShareStatus[] = [
  'CREATING', 'CREATING_FROM_SNAPSHOT', 'AVAILABLE', 'ERROR', 'DELETING', 'ERROR_DELETING', 'INACTIVE', 'EXTENDING',
  'EXTENDING_ERROR', 'SHRINKING', 'SHRINKING_ERROR', 'SHRINKING_POSSIBLE_DATA_LOSS_ERROR', 'MANAGE_STARTING', 'MANAGE_ERROR',
  'UNMANAGE_STARTING', 'UNMANAGE_ERROR', 'UNMANAGED', 'MIGRATING', 'MIGRATING_TO', 'SERVER_MIGRATING', 'SERVER_MIGRATING_TO',
  'REPLICATION_CHANGE', 'REVERTING', 'REVERTING_ERROR', 'RESTORING',
];
const CONSISTENCY_GROUP: ConsistencyGroupStatus[] = ['CREATING', 'AVAILABLE', 'ERROR', 'DELETING', 'ERROR_DELETING'];

export const shareGroupStatus = (raw: string): ShareGroupStatus => enumValue(raw, SHARE_GROUP);
export const shareGroupSnapshotStatus = (raw: string): ShareGroupSnapshotStatus => enumValue(raw, SNAPSHOT);
export const shareStatus = (raw: string): ShareStatus => enumValue(raw, SHARE);
export const consistencyGroupStatus = (raw: string): ConsistencyGroupStatus => enumValue(raw, CONSISTENCY_GROUP);
export const consistentSnapshotSupport = (raw: string | null | undefined): ConsistentSnapshotSupport | null =>
  raw ? enumValue(raw, ['POOL', 'HOST'] as const) : null;
