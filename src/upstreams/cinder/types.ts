// Cinder v3 wire shapes, exactly as the API sends them (snake_case). Fields that appear only from some
// microversion, or only for admins, are optional.

export interface CinderLink {
  rel: string;
  href: string;
}

/** `GET /groups/detail` item and `GET /groups/{id}` body. */
export interface CinderGroup {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  availability_zone: string | null;
  created_at: string | null;
  /** An id, despite the name. */
  group_type: string;
  volume_types: string[];
  /** 3.14+ */
  group_snapshot_id?: string | null;
  /** 3.14+ */
  source_group_id?: string | null;
  /** 3.25+ with ?list_volume=true */
  volumes?: string[];
  /** 3.38+ */
  replication_status?: string | null;
  /** 3.58+, admins */
  project_id?: string;
}

export interface CinderGroupSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string | null;
  group_id: string;
  group_type_id: string;
  project_id?: string;
}

export interface CinderGroupType {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  /** Absent for callers who may not see specs. */
  group_specs?: Record<string, string>;
}

export interface CinderVolumeType {
  id: string;
  name: string;
  description: string | null;
  is_public?: boolean;
  'os-volume-type-access:is_public'?: boolean;
  extra_specs?: Record<string, string>;
}

export interface CinderVolume {
  id: string;
  name: string | null;
  status: string;
  size: number;
  availability_zone: string | null;
  created_at: string | null;
  /** The type's NAME. */
  volume_type: string | null;
  /** 3.63+ */
  volume_type_id?: string;
  /** 3.13+ */
  group_id?: string | null;
  replication_status?: string | null;
  bootable?: string | boolean;
}

export interface CinderReplicationTarget {
  backend_id: string;
  [key: string]: unknown;
}

export interface CinderVersion {
  id: string;
  status: string;
  version: string;
  min_version: string;
}

export interface CinderPage<T> {
  items: T[];
  /** Cinder sent a `rel: next` link (it does whenever a page is full, even the last). */
  hasNextLink: boolean;
  /** `count` of the whole listing, when asked with `with_count` (volumes and snapshots, 3.45+). */
  count?: number;
}

/** `GET /snapshots/detail` item and `GET /snapshots/{id}` body: a volume snapshot. */
export interface CinderSnapshot {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  /** GiB: the volume's size when the snapshot was taken. */
  size: number;
  volume_id: string;
  created_at: string | null;
  updated_at?: string | null;
  /** 3.14+ (detail and show only) */
  group_snapshot_id?: string | null;
  /** The extended snapshot attributes extension (project readers and admins). */
  'os-extended-snapshot-attributes:project_id'?: string;
  'os-extended-snapshot-attributes:progress'?: string;
}

/** One entry of `GET /os-quota-sets/{project}?usage=True`. */
export interface CinderQuotaUsage {
  /** -1: unlimited. */
  limit: number;
  in_use: number;
  reserved: number;
}

/** `quota_set` with usage: one entry per resource (and per volume type), plus the project's `id`. */
export type CinderQuotaSet = Record<string, CinderQuotaUsage | string>;

/** `GET /os-availability-zone` item. */
export interface CinderAvailabilityZone {
  zoneName: string;
  zoneState: { available: boolean };
}
