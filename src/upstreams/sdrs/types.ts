// Huawei Cloud SDRS v1 wire shapes, exactly as the API sends them (snake_case; upstream-apis.md §3). Nothing
// here was checked against a live account, so every field the docs do not promise is nullable or optional.

/** `ShowProtectionGroupParams`: one item of `GET /server-groups` and the body of `GET /server-groups/{id}`. */
export interface SdrsProtectionGroup {
  id: string;
  name: string;
  description: string | null;
  /** kebab-case: `available`, `error-starting`, `failed-over`… (no `protecting`). */
  status: string;
  /** Synchronisation progress, 0–100. */
  progress: number | null;
  /** AZ at creation; does not change after a switchover. */
  source_availability_zone: string | null;
  target_availability_zone: string | null;
  domain_id: string | null;
  domain_name: string | null;
  /** `source` or `target`: the site currently in production. */
  priority_station: string | null;
  protected_instance_num: number | null;
  replication_num: number | null;
  disaster_recovery_drill_num: number | null;
  // Trap 20: the next three are null for groups created after a platform upgrade.
  /** `started` / `stopped` */
  protected_status: string | null;
  /** `active` / `inactive` / `copying` / `active-stopped` */
  replication_status: string | null;
  /** `normal` / `abnormal` */
  health_status: string | null;
  source_vpc_id: string | null;
  target_vpc_id: string | null;
  /** Unused by the service. */
  test_vpc_id: string | null;
  /** `migration` */
  dr_type: string | null;
  /** Trap 19: "2019-05-23 03:51:58.256" or "2019-05-23T03:51:58.256Z", both UTC. */
  created_at: string | null;
  updated_at: string | null;
  /** `replication-pair` or null */
  protection_type: string | null;
  /** Reserved. */
  replication_model: string | null;
  /** `ECS` */
  server_type: string | null;
}

/** `GET /server-groups`: the page and the total number of matching groups (SDRS has no links, only `count`). */
export interface SdrsProtectionGroupList {
  server_groups: SdrsProtectionGroup[];
  count: number;
}

/** Body of `POST /server-groups` (`CreateProtectionGroupRequestParams`). */
export interface SdrsCreateProtectionGroup {
  name: string;
  description?: string;
  source_availability_zone: string;
  target_availability_zone: string;
  domain_id: string;
  source_vpc_id: string;
  dr_type?: 'migration';
}

/** Every SDRS write answers 200 with the job it started. */
export interface SdrsJobAccepted {
  job_id: string;
}

export type SdrsJobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';

/** `JobEntities`: what the job works on. Only `server_group_id` matters for protection-group jobs. */
export interface SdrsJobEntities {
  server_group_id?: string | null;
  replication_pair_id?: string | null;
  /** A string in the SDK models (the volumes of a replication pair), not an array. */
  volume_ids?: string | null;
  protected_instance_id?: string | null;
  native_server_id?: string | null;
  nic_id?: string | null;
  sub_jobs?: SdrsJob[] | null;
}

/** `ShowJobStatusResponse` (`GET /jobs/{job_id}`); sub-jobs have the same shape. */
export interface SdrsJob {
  /** UPPER-case, unlike group statuses (trap 12). */
  status: string;
  job_id: string;
  job_type: string | null;
  begin_time: string | null;
  end_time: string | null;
  /** Null unless FAIL. */
  error_code: string | null;
  fail_reason: string | null;
  entities: SdrsJobEntities | null;
}

/** The action keys of `POST /server-groups/{id}/action` (hyphenated; their body fields use underscores). */
export type SdrsActionName = 'start-server-group' | 'stop-server-group' | 'failover-server-group' | 'reverse-server-group';

export type SdrsPriorityStation = 'source' | 'target';

/** List filters of `GET /server-groups` (`ListProtectionGroupsRequest`). */
export interface SdrsGroupFilters {
  status?: string;
  /** Fuzzy match. */
  name?: string;
  /** The AZ currently in production. */
  availability_zone?: string;
  query_type?: 'status_abnormal' | 'stop_protected' | 'period_no_dr_drill' | 'general';
}

/**
 * A protected instance (a server replicated to the DR site): one item of `GET /protected-instances` and the body of
 * `GET /protected-instances/{id}` ("Querying Protected Instances" and its details page).
 */
export interface SdrsProtectedInstance {
  id: string;
  name: string;
  description: string | null;
  server_group_id: string;
  /** kebab-case; the protected-instance status appendix adds `nic-creating`, `resizing`, `invalid`, `fault`… */
  status: string;
  progress: number | null;
  /** Production-site server at creation. */
  source_server: string | null;
  /** DR-site server at creation. */
  target_server: string | null;
  created_at: string | null;
  updated_at: string | null;
  /** The group's current production site, `source` or `target`. */
  priority_station: string | null;
  /** The attached replication pairs. */
  attachment: SdrsInstanceAttachment[] | null;
  tags: { key: string; value: string | null }[] | null;
  /** `__system__frozen: "true"` for a frozen resource. */
  metadata: Record<string, string> | null;
}

export interface SdrsInstanceAttachment {
  /** Replication pair id. */
  replication: string;
  device: string | null;
}

/**
 * A replication pair (a production disk and its DR-site disk): one item of `GET /replications` (key
 * `replications`) and the body of `GET /replications/{id}` (key `replication`).
 */
export interface SdrsReplicationPair {
  id: string;
  name: string;
  description: string | null;
  /** `hypermetro` (synchronous), the default. */
  replication_model: string | null;
  status: string;
  progress: number | null;
  /** `active` / `inactive` / `copying` / `active-stopped` */
  replication_status: string | null;
  /** The instance the pair is attached to (at most one entry). */
  attachment: { device: string | null; protected_instance: string }[] | null;
  server_group_id: string;
  /** One comma-separated string: the production-site disk and the DR-site disk. */
  volume_ids: string | null;
  priority_station: string | null;
  /** A string: `0` no fault, `2` production disk not writable (fail over), `5` replication link down (no failover). */
  fault_level: string | null;
  /** Trap 19 again: the pair pages document "yyyy-MM-ddTHH:mm:ss.SSSZ", their sample has microseconds and no zone. */
  created_at: string | null;
  updated_at: string | null;
  record_metadata: { multiattach?: boolean; bootable?: boolean; volume_size?: number; volume_type?: string } | null;
  /** The error code, only while `status` is `error`. */
  failure_detail?: string | null;
}

/** A DR drill: one item of `GET /disaster-recovery-drills` and the body of `GET /disaster-recovery-drills/{id}`. */
export interface SdrsDrill {
  id: string;
  name: string;
  status: string;
  server_group_id: string;
  drill_vpc_id: string | null;
  created_at: string | null;
  updated_at: string | null;
  drill_servers: SdrsDrillServer[] | null;
}

export interface SdrsDrillServer {
  /** The protected instance the drill server stands in for. */
  protected_instance: string | null;
  drill_server_id: string;
}

/** Filters of the member listings: the group filters, in the wire spelling. */
export interface SdrsMemberFilters {
  server_group_id?: string;
  /** `["id1","id2"]`, at most 30 ids (protected instances and replication pairs only). */
  server_group_ids?: string;
  /** `["id1","id2"]`, at most 30 ids (protected instances only). */
  protected_instance_ids?: string;
}
