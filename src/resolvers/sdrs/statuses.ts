import type {
  DisasterRecoveryDrillStatus,
  JobStatus,
  PriorityStation,
  ProtectedInstanceStatus,
  ProtectionGroupAction,
  ProtectionGroupStatus,
  ProtectionState,
  ReplicationPairFaultLevel,
  ReplicationPairStatus,
} from '../../generated/graphql.js';
import { enumValue } from '../../graphql/scalars.js';

const GROUP: ProtectionGroupStatus[] = [
  'CREATING', 'AVAILABLE', 'PROTECTED', 'DELETING', 'ERROR_DELETING', 'ERROR', 'STARTING', 'ERROR_STARTING',
  'REPROTECTING', 'ERROR_REPROTECTING', 'STOPPING', 'ERROR_STOPPING', 'REVERSING', 'ERROR_REVERSING',
  'FAILING_OVER', 'FAILED_OVER', 'ERROR_FAILING_OVER',
];
// Job statuses are UPPER-case on the wire, group statuses kebab-case (trap 12); enumValue reads both.
const JOB: JobStatus[] = ['INIT', 'RUNNING', 'SUCCESS', 'FAIL'];

// The members' status appendices (protected-instance-status, replication-pair-status, dr-drill-status).
const PROTECTION: ProtectedInstanceStatus[] & ReplicationPairStatus[] = [
  'CREATING', 'AVAILABLE', 'DELETING', 'ERROR_DELETING', 'ERROR', 'STARTING', 'ERROR_STARTING', 'PROTECTED',
  'REVERSING', 'FAILING_OVER', 'FAILED_OVER', 'REPROTECTING', 'STOPPING', 'ERROR_STOPPING', 'ERROR_REVERSING',
  'ERROR_FAILING_OVER', 'ERROR_REPROTECTING', 'INVALID', 'FAULT',
];
const INSTANCE: ProtectedInstanceStatus[] = [...PROTECTION, 'NIC_CREATING', 'NIC_DELETING', 'RESIZING', 'ERROR_RESIZING'];
const PAIR: ReplicationPairStatus[] = [
  ...PROTECTION, 'EXTENDING', 'ERROR_EXTENDING', 'ATTACHING', 'DETACHING', 'ERROR_ATTACHING', 'ERROR_DETACHING',
];
const DRILL: DisasterRecoveryDrillStatus[] = ['CREATING', 'AVAILABLE', 'DELETING', 'ERROR_DELETING', 'ERROR'];

export const protectionGroupStatus = (raw: string): ProtectionGroupStatus => enumValue(raw, GROUP);
export const jobStatus = (raw: string): JobStatus => enumValue(raw, JOB);
export const protectedInstanceStatus = (raw: string): ProtectedInstanceStatus => enumValue(raw, INSTANCE);
export const replicationPairStatus = (raw: string): ReplicationPairStatus => enumValue(raw, PAIR);
export const drillStatus = (raw: string): DisasterRecoveryDrillStatus => enumValue(raw, DRILL);

const FAULT_LEVELS: Record<string, ReplicationPairFaultLevel> = {
  '0': 'NONE',
  '2': 'PRODUCTION_DISK_UNAVAILABLE',
  '5': 'REPLICATION_LINK_DOWN',
};

/** `fault_level` is a string on the wire ("0", "2", "5"); a number is read the same. */
export function faultLevel(raw: unknown): ReplicationPairFaultLevel | null {
  if (raw === null || raw === undefined || raw === '') return null;
  // Another type (an object, whose String() may even throw): a level the facade does not know.
  return typeof raw === 'string' || typeof raw === 'number' ? (FAULT_LEVELS[String(raw).trim()] ?? 'UNKNOWN') : 'UNKNOWN';
}

const CHANGING: ReadonlySet<ProtectionGroupStatus> = new Set<ProtectionGroupStatus>([
  'CREATING', 'DELETING', 'STARTING', 'REPROTECTING', 'STOPPING', 'REVERSING', 'FAILING_OVER',
]);

/** Trap 20: `protected_status` is null for groups created after an upgrade, so this reads `status` only. */
export function protectionState(status: ProtectionGroupStatus): ProtectionState {
  if (status === 'PROTECTED') return 'PROTECTED';
  if (status === 'AVAILABLE') return 'NOT_PROTECTED';
  if (status === 'FAILED_OVER') return 'FAILED_OVER';
  if (CHANGING.has(status)) return 'CHANGING';
  if (status === 'ERROR' || status.startsWith('ERROR_')) return 'ERROR';
  return 'UNKNOWN';
}

/**
 * The documented status preconditions (upstream-apis.md §3.4). Delete has no documented status rule; it is not
 * offered while a job changes the group (or its status is unknown). preconditions.ts adds the member rules.
 */
const ALLOWED_FROM: Record<ProtectionGroupAction, readonly ProtectionGroupStatus[]> = {
  START_PROTECTION: ['AVAILABLE', 'ERROR_STARTING'],
  REPROTECT: ['FAILED_OVER', 'ERROR_REPROTECTING'],
  STOP_PROTECTION: ['PROTECTED', 'ERROR_STOPPING'],
  FAILOVER: ['PROTECTED', 'ERROR_FAILING_OVER', 'ERROR_REVERSING'],
  REVERSE: ['PROTECTED', 'ERROR_REVERSING'],
  DELETE: GROUP.filter((s) => !CHANGING.has(s)),
};

/** The actions the group's status alone allows. */
export function allowedByStatus(status: ProtectionGroupStatus): ProtectionGroupAction[] {
  return (Object.keys(ALLOWED_FROM) as ProtectionGroupAction[]).filter((a) => ALLOWED_FROM[a].includes(status));
}

export function priorityStation(raw: string | null | undefined): PriorityStation | null {
  // Not a string (an SDRS answering a number): unknown, as any value the facade does not know.
  const v = typeof raw === 'string' ? raw.toLowerCase() : '';
  return v === 'source' ? 'SOURCE' : v === 'target' ? 'TARGET' : null;
}
