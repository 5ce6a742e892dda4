// Manila v2 wire shapes, exactly as the API sends them (snake_case). Fields that appear only from some
// microversion, or only for admins, are optional.

export interface ManilaLink {
  rel: string;
  href: string;
}

/** `GET /share-groups/detail` item and `GET /share-groups/{id}` body (2.31+). */
export interface ManilaShareGroup {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string | null;
  project_id: string;
  host: string | null;
  share_group_type_id: string;
  source_share_group_snapshot_id: string | null;
  share_network_id: string | null;
  /** Share type ids. */
  share_types: string[];
  /** 2.34+: the availability zone's name. */
  availability_zone?: string | null;
  /** 2.34+: `pool`, `host` or null. */
  consistent_snapshot_support?: string | null;
  /** Admins only. */
  share_server_id?: string | null;
  /** Broken in Zed (they point at /share_groups): never followed. */
  links?: ManilaLink[];
}

/** One member as the snapshot detail embeds it. */
export interface ManilaShareGroupSnapshotMember {
  id: string;
  size: number;
  share_id: string;
}

export interface ManilaShareGroupSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string | null;
  project_id: string;
  share_group_id: string;
  members: ManilaShareGroupSnapshotMember[];
}

export interface ManilaShareGroupType {
  id: string;
  name: string;
  is_public: boolean;
  group_specs: Record<string, string>;
  share_types: string[];
  /** 2.46+ */
  is_default?: boolean;
}

export interface ManilaShareType {
  id: string;
  name: string;
  extra_specs?: Record<string, string>;
  required_extra_specs?: Record<string, unknown>;
  /** 2.7+ */
  'share_type_access:is_public'?: boolean;
  /** below 2.7 */
  'os-share-type-access:is_public'?: boolean;
  /** 2.41+ */
  description?: string | null;
  /** 2.46+ */
  is_default?: boolean;
}

/** The network fields: top level below 2.51, one entry of `share_network_subnets` from 2.51. */
export interface ManilaNetworkFields {
  neutron_net_id?: string | null;
  neutron_subnet_id?: string | null;
  network_type?: string | null;
  segmentation_id?: number | null;
  cidr?: string | null;
  ip_version?: number | null;
  /** 2.18+ */
  gateway?: string | null;
  /** 2.20+ */
  mtu?: number | null;
}

export interface ManilaShareNetworkSubnet extends ManilaNetworkFields {
  /** null when the facade built it from a pre-2.51 network's own fields. */
  id: string | null;
  availability_zone?: string | null;
  created_at?: string | null;
}

export interface ManilaShareNetwork extends ManilaNetworkFields {
  id: string;
  name: string | null;
  description: string | null;
  project_id: string;
  created_at: string | null;
  updated_at?: string | null;
  /** 2.51+ */
  share_network_subnets?: ManilaShareNetworkSubnet[];
  /** 2.63+ */
  status?: string;
}

export interface ManilaShare {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  share_proto: string;
  availability_zone: string | null;
  created_at: string | null;
  project_id?: string;
  share_network_id: string | null;
  /** The type's id from 2.6 (its name below). */
  share_type?: string | null;
  /** 2.6+ */
  share_type_name?: string | null;
  /** 2.8+ */
  is_public?: boolean;
  /** 2.31+ */
  share_group_id?: string | null;
  /** 2.31+ */
  source_share_group_snapshot_member_id?: string | null;
  /** 2.4–2.30 with the experimental header. */
  consistency_group_id?: string | null;
  /** 2.4–2.30 with the experimental header. */
  source_cgsnapshot_member_id?: string | null;
}

/** Legacy (2.4–2.30) `consistency_group`. */
export interface ManilaConsistencyGroup {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string | null;
  project_id: string;
  host: string | null;
  source_cgsnapshot_id: string | null;
  share_network_id: string | null;
  share_types: string[];
  share_server_id?: string | null;
}

export interface ManilaCgSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string | null;
  project_id: string;
  consistency_group_id: string;
}

export interface ManilaCgSnapshotMember {
  id: string;
  created_at: string | null;
  size: number;
  share_protocol?: string | null;
  share_type_id?: string | null;
  cgsnapshot_id: string;
  share_id: string;
}

export interface ManilaVersion {
  id: string;
  status: string;
  version: string;
  min_version: string;
}

/** One entry of `GET /share-group-types/{id}/access` (admins, private types only). */
export interface ManilaShareGroupTypeAccess {
  share_group_type_id: string;
  project_id: string;
}

/** One resource of `GET /quota-sets/{project_id}/detail` (2.25+). `limit` -1 means unlimited. */
export interface ManilaQuotaUsage {
  limit: number;
  in_use: number;
  reserved: number;
}

/** `quota_set` of the detail view; the share group keys appear from 2.40. */
export interface ManilaQuotaSet {
  id: string;
  shares: ManilaQuotaUsage;
  gigabytes: ManilaQuotaUsage;
  snapshots?: ManilaQuotaUsage;
  snapshot_gigabytes?: ManilaQuotaUsage;
  share_networks?: ManilaQuotaUsage;
  /** 2.40+ */
  share_groups?: ManilaQuotaUsage;
  /** 2.40+ */
  share_group_snapshots?: ManilaQuotaUsage;
}

/** `GET /availability-zones` item: only zones with an enabled share service are listed. */
export interface ManilaAvailabilityZone {
  id: string;
  name: string;
  created_at: string | null;
  updated_at: string | null;
}
