/**
 * Which upstream statuses mean "work is still going on": shared by the write mutations that wait for their
 * outcome (`waitSeconds`) and by the subscriptions' pollers (which poll faster while an object is transitional).
 * Statuses are compared in the GraphQL enum spelling (UPPER_SNAKE), so the wire forms (`creating`,
 * `failing-over`, `error_deleting`, SDRS jobs' `RUNNING`) and the enum values read the same.
 */
import { enumSpelling } from '../graphql/scalars.js';

/** The kinds of object whose status a write or a subscription follows. */
export type LiveKind =
  | 'group'
  | 'groupSnapshot'
  | 'groupReplication'
  | 'volume'
  | 'volumeSnapshot'
  | 'shareGroup'
  | 'shareGroupSnapshot'
  | 'share'
  | 'consistencyGroup'
  | 'consistencyGroupSnapshot'
  | 'protectionGroup'
  | 'job';

const set = (...statuses: string[]): ReadonlySet<string> => new Set(statuses);

// Cinder: cinder/objects/fields.py; Manila: manila/common/constants.py; SDRS: the status appendix (upstream-apis.md §3.4, §3.5).
const TRANSITIONAL: Record<LiveKind, ReadonlySet<string>> = {
  group: set('CREATING', 'UPDATING', 'DELETING'),
  groupSnapshot: set('CREATING', 'UPDATING', 'DELETING'),
  groupReplication: set('ENABLING', 'DISABLING', 'FAILING_OVER'),
  volume: set(
    'CREATING', 'DELETING', 'ATTACHING', 'DETACHING', 'RESERVED', 'EXTENDING', 'RETYPING', 'BACKING_UP',
    'RESTORING_BACKUP', 'DOWNLOADING', 'UPLOADING',
  ),
  volumeSnapshot: set('CREATING', 'UPDATING', 'DELETING', 'UNMANAGING', 'BACKING_UP', 'RESTORING'),
  shareGroup: set('CREATING', 'DELETING', 'MIGRATING', 'MIGRATING_TO', 'SERVER_MIGRATING'),
  shareGroupSnapshot: set('CREATING', 'DELETING'),
  share: set(
    'CREATING', 'CREATING_FROM_SNAPSHOT', 'DELETING', 'EXTENDING', 'SHRINKING', 'MANAGE_STARTING', 'UNMANAGE_STARTING',
    'MIGRATING', 'MIGRATING_TO', 'SERVER_MIGRATING', 'SERVER_MIGRATING_TO', 'REPLICATION_CHANGE', 'REVERTING', 'RESTORING',
  ),
  consistencyGroup: set('CREATING', 'DELETING'),
  consistencyGroupSnapshot: set('CREATING', 'DELETING'),
  protectionGroup: set('CREATING', 'DELETING', 'STARTING', 'REPROTECTING', 'STOPPING', 'REVERSING', 'FAILING_OVER'),
  job: set('INIT', 'RUNNING'),
};

/** Is this status one the upstream leaves by itself (work in progress), for this kind of object? */
export function isTransitional(kind: LiveKind, status: string | null | undefined): boolean {
  return TRANSITIONAL[kind].has(enumSpelling(status));
}

/** The status fields of an object as the wire (snake_case) or the GraphQL layer (camelCase) holds them. */
export interface StatusBearing {
  status?: string | null;
  replication_status?: string | null;
  replicationStatus?: string | null;
}

/**
 * Has the object left every transitional status? A Cinder group also waits for its replication status
 * (`ENABLING`, `FAILING_OVER`, ...). An object that is gone (null) has settled: nothing more will happen to it.
 */
export function hasSettled(kind: LiveKind, object: StatusBearing | null | undefined): boolean {
  if (!object) return true;
  const replicated = kind === 'group' || kind === 'groupReplication';
  if (isTransitional(replicated ? 'group' : kind, object.status)) return false;
  if (replicated) {
    return !isTransitional('groupReplication', object.replication_status ?? object.replicationStatus);
  }
  return true;
}
