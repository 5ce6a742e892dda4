/**
 * Wire shapes and envelopes of the simulated Huawei SDRS v1 API (protection groups, their protected instances,
 * replication pairs and DR drills, and jobs).
 * Field names are exactly what the service sends (snake_case); see upstream-apis.md §3.
 */
import { randomBytes } from 'node:crypto';
import type { SimResponse } from '../server.js';

/** Protection-group status enum (status appendix). There is no `protecting`. */
export type GroupStatus =
  | 'creating'
  | 'available'
  | 'protected'
  | 'deleting'
  | 'error-deleting'
  | 'error'
  | 'starting'
  | 'error-starting'
  | 'reprotecting'
  | 'error-reprotecting'
  | 'stopping'
  | 'error-stopping'
  | 'reversing'
  | 'error-reversing'
  | 'failing-over'
  | 'failed-over'
  | 'error-failing-over';

export const GROUP_STATUSES: readonly GroupStatus[] = [
  'creating', 'available', 'protected', 'deleting', 'error-deleting', 'error', 'starting', 'error-starting',
  'reprotecting', 'error-reprotecting', 'stopping', 'error-stopping', 'reversing', 'error-reversing',
  'failing-over', 'failed-over', 'error-failing-over',
];

export type PriorityStation = 'source' | 'target';
export type ProtectedStatus = 'started' | 'stopped';
export type ReplicationStatus = 'active' | 'inactive' | 'copying' | 'active-stopped';
export type HealthStatus = 'normal' | 'abnormal';
export type JobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';
export type TimestampFormat = 'space' | 'iso';

/** `ShowProtectionGroupParams`: every field of table 3.3, in the order of the OTC list sample. */
export interface SdrsProtectionGroupWire {
  id: string;
  name: string;
  description: string | null;
  source_availability_zone: string;
  target_availability_zone: string;
  domain_id: string;
  domain_name: string;
  status: GroupStatus;
  protected_status: ProtectedStatus | null;
  replication_status: ReplicationStatus | null;
  health_status: HealthStatus | null;
  progress: number;
  priority_station: PriorityStation;
  protected_instance_num: number;
  replication_num: number;
  disaster_recovery_drill_num: number;
  source_vpc_id: string;
  target_vpc_id: string;
  test_vpc_id: string | null;
  dr_type: 'migration';
  server_type: 'ECS';
  created_at: string;
  updated_at: string;
  protection_type: 'replication-pair' | null;
  replication_model: string | null;
}

/** Protected instance status appendix (`protected-instance-status`). */
export const INSTANCE_STATUSES = [
  'creating', 'available', 'deleting', 'error-deleting', 'error', 'nic-creating', 'nic-deleting', 'starting',
  'error-starting', 'protected', 'reversing', 'failing-over', 'failed-over', 'reprotecting', 'stopping',
  'error-stopping', 'error-reversing', 'error-failing-over', 'error-reprotecting', 'resizing', 'error-resizing',
  'invalid', 'fault',
] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

/** Replication pair status appendix (`replication-pair-status`). */
export const PAIR_STATUSES = [
  'creating', 'available', 'deleting', 'error-deleting', 'error', 'extending', 'error-extending', 'starting',
  'error-starting', 'protected', 'reversing', 'failing-over', 'failed-over', 'reprotecting', 'stopping',
  'error-stopping', 'error-reversing', 'error-failing-over', 'error-reprotecting', 'invalid', 'fault', 'attaching',
  'detaching', 'error-attaching', 'error-detaching',
] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

/** DR drill status appendix (`dr-drill-status`). */
export const DRILL_STATUSES = ['creating', 'available', 'deleting', 'error-deleting', 'error'] as const;
export type DrillStatus = (typeof DRILL_STATUSES)[number];

/** `fault_level` of a pair, a string on the wire: 0 none, 2 production disk not writable, 5 replication link down. */
export type FaultLevel = '0' | '2' | '5';

/** One item of `GET /protected-instances` and the body of `GET /protected-instances/{id}` ("Querying Protected Instances"). */
export interface SdrsProtectedInstanceWire {
  id: string;
  name: string;
  description: string | null;
  server_group_id: string;
  status: InstanceStatus;
  progress: number;
  /** Production-site server at creation. */
  source_server: string;
  /** DR-site server at creation. */
  target_server: string;
  created_at: string;
  updated_at: string;
  /** The group's current production site. */
  priority_station: PriorityStation;
  /** The replication pairs attached to the instance. */
  attachment: { replication: string; device: string }[];
  tags: { key: string; value: string }[];
  /** `{"__system__frozen": "true"}` for a frozen resource, else empty. */
  metadata: Record<string, string>;
}

/** One item of `GET /replications` (key `replications`) and the body of `GET /replications/{id}` (key `replication`). */
export interface SdrsReplicationPairWire {
  id: string;
  name: string;
  description: string | null;
  /** `hypermetro` (synchronous replication), the default. */
  replication_model: string;
  status: PairStatus;
  progress: number;
  replication_status: ReplicationStatus;
  /** At most one entry: the instance the pair is attached to. */
  attachment: { device: string; protected_instance: string }[];
  server_group_id: string;
  /** Production-site and DR-site disk ids in one comma-separated string. */
  volume_ids: string;
  priority_station: PriorityStation;
  fault_level: FaultLevel;
  created_at: string;
  updated_at: string;
  record_metadata: { multiattach: boolean; bootable: boolean; volume_size: number; volume_type: string };
  /** Only when `status` is `error`: the error code. */
  failure_detail?: string;
}

/** One item of `GET /disaster-recovery-drills` and the body of `GET /disaster-recovery-drills/{id}`. */
export interface SdrsDrillWire {
  id: string;
  name: string;
  status: DrillStatus;
  server_group_id: string;
  drill_vpc_id: string;
  created_at: string;
  updated_at: string;
  drill_servers: { protected_instance: string; drill_server_id: string }[];
}

export interface SdrsJobEntitiesWire {
  server_group_id?: string;
  sub_jobs?: SdrsJobWire[];
}

/** `ShowJobStatusResponse` (OTC `querying_the_job_status.rst`); sub-jobs have the same shape. */
export interface SdrsJobWire {
  status: JobStatus;
  job_id: string;
  job_type: string;
  begin_time: string | null;
  end_time: string | null;
  error_code: string | null;
  fail_reason: string | null;
  entities: SdrsJobEntitiesWire;
}

/** Trap 19: OTC samples show "2019-05-23 03:51:58.256", the Huawei SDK says ISO with `Z`. Both are UTC. */
export function formatTimestamp(ms: number, format: TimestampFormat): string {
  const iso = new Date(ms).toISOString();
  return format === 'iso' ? iso : iso.replace('T', ' ').replace('Z', '');
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/**
 * Job ids look like Hibernate `uuid.hex` values (`ff8080826adfae02016ae2d123fc05ed`): 8 hex of host, 8 of
 * process start, 12 of epoch milliseconds, 4 of a counter. We mimic that layout so ids sort by creation.
 */
export function makeJobId(epochMs: number, counter: number): string {
  const ms = Math.max(0, Math.floor(epochMs)).toString(16).padStart(12, '0').slice(-12);
  return `ff8080828f3a61c0${ms}${(counter & 0xffff).toString(16).padStart(4, '0')}`;
}

export function newRequestId(): string {
  return randomBytes(16).toString('hex');
}

function envelope(status: number, key: 'error' | 'badrequest' | 'itemNotFound', code: string, message: string): SimResponse {
  return { status, json: { [key]: { code, message } } };
}

/** The SDK's `ErrorInfo` envelope: `{"error":{"code":"SDRS.xxxx","message":…}}`, string code. */
export function sdrsError(status: number, code: string, message: string): SimResponse {
  return envelope(status, 'error', code, message);
}

/** Lower-case `badrequest` (not OpenStack's `badRequest`): used for request-body validation failures. */
export function sdrsBadRequest(code: string, message: string): SimResponse {
  return envelope(400, 'badrequest', code, message);
}

export function sdrsItemNotFound(code: string, message: string): SimResponse {
  return envelope(404, 'itemNotFound', code, message);
}

/**
 * Huawei API Gateway envelope (`{"error_code":"APIGW.xxxx","error_msg":…,"request_id":…}`), which is what sits in
 * front of every Huawei Cloud endpoint and answers for paths it has no route for and for missing tokens.
 * UNCONFIRMED for SDRS specifically (the SDRS reference documents no 404 or 401 body).
 */
export function apigwError(status: number, code: string, message: string): SimResponse {
  return { status, json: { error_code: code, error_msg: message, request_id: newRequestId() } };
}

/** Codes and messages from the OTC error table (`appendixes/error_codes.rst`). */
export const SDRS_ERRORS = {
  invalidTenant: ['SDRS.0001', 'Invalid tenant ID'],
  noApiPermission: ['SDRS.0004', 'Incorrect API invoking permissions'],
  invalidParams: ['SDRS.0201', 'Invalid request parameters'],
  invalidName: ['SDRS.0202', 'Invalid name'],
  invalidAz: ['SDRS.0203', 'Invalid AZ'],
  invalidVpc: ['SDRS.0204', 'Invalid VPC'],
  invalidDomain: ['SDRS.0205', 'Invalid domain ID'],
  invalidAction: ['SDRS.0206', 'Invalid action'],
  invalidDescription: ['SDRS.0212', 'Invalid description'],
  invalidLimit: ['SDRS.0221', 'limit value must be greater than 0 or less than 1000'],
  invalidOffset: ['SDRS.0222', 'offset value cannot be negative, and must be an integer'],
  nullJob: ['SDRS.0408', 'Null job'],
  hasInstances: ['SDRS.1001', 'Protection group deletion not allowed due to a protected instance'],
  wrongState: ['SDRS.1002', 'Operation not allowed for the protection group in the current state'],
  hasDrills: ['SDRS.1003', 'Protection group deletion not allowed due to a DR drill'],
  hasPairs: ['SDRS.1010', 'Protection group deletion not allowed due to a replication pair'],
  groupNotFound: ['SDRS.1013', 'Protection group not found'],
  abnormalInstance: ['SDRS.1314', 'Abnormal protected instance'],
  instanceNotFound: ['SDRS.1320', 'Protected instance not found'],
  pairNotFound: ['SDRS.1608', 'Replication pair not found'],
  systemErrorNoFailover: ['SDRS.1824', 'Operation not allowed due to a system error'],
  drillNotFound: ['SDRS.1902', 'DR drill not found'],
} as const satisfies Record<string, readonly [string, string]>;
