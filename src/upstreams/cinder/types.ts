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
}
