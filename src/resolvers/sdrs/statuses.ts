import type {
  JobStatus,
  PriorityStation,
  ProtectionGroupAction,
  ProtectionGroupStatus,
  ProtectionState,
} from '../../generated/graphql.js';
import { enumValue } from '../../graphql/scalars.js';

const GROUP: ProtectionGroupStatus[] = [
  'CREATING', 'AVAILABLE', 'PROTECTED', 'DELETING', 'ERROR_DELETING', 'ERROR', 'STARTING', 'ERROR_STARTING',
  'REPROTECTING', 'ERROR_REPROTECTING', 'STOPPING', 'ERROR_STOPPING', 'REVERSING', 'ERROR_REVERSING',
  'FAILING_OVER', 'FAILED_OVER', 'ERROR_FAILING_OVER',
];
// Job statuses are UPPER-case on the wire, group statuses kebab-case (trap 12); enumValue reads both.
const JOB: JobStatus[] = ['INIT', 'RUNNING', 'SUCCESS', 'FAIL'];

export const protectionGroupStatus = (raw: string): ProtectionGroupStatus => enumValue(raw, GROUP);
export const jobStatus = (raw: string): JobStatus => enumValue(raw, JOB);

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

/** The documented status preconditions (upstream-apis.md §3.4); SDRS still checks the rest. */
const ALLOWED_FROM: Record<ProtectionGroupAction, readonly ProtectionGroupStatus[]> = {
  START_PROTECTION: ['AVAILABLE', 'ERROR_STARTING'],
  REPROTECT: ['FAILED_OVER', 'ERROR_REPROTECTING'],
  STOP_PROTECTION: ['PROTECTED', 'ERROR_STOPPING'],
  FAILOVER: ['PROTECTED', 'ERROR_FAILING_OVER', 'ERROR_REVERSING'],
  REVERSE: ['PROTECTED', 'ERROR_REVERSING'],
};

export function allowedActions(status: ProtectionGroupStatus): ProtectionGroupAction[] {
  return (Object.keys(ALLOWED_FROM) as ProtectionGroupAction[]).filter((a) => ALLOWED_FROM[a].includes(status));
}

export function priorityStation(raw: string | null | undefined): PriorityStation | null {
  const v = (raw ?? '').toLowerCase();
  return v === 'source' ? 'SOURCE' : v === 'target' ? 'TARGET' : null;
}
