// In-memory model of Cinder's database (every project's rows, each carrying its project_id; types are global),
// plus timers that play the part of the scheduler and volume service (creating -> available, deleting -> gone).
import { randomUUID } from 'node:crypto';
import { cinderTime, notFound } from './wire.js';

export interface VolumeTypeRow {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
  created_at: string;
}

export interface GroupTypeRow {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  group_specs: Record<string, string>;
  created_at: string;
}

export interface GroupRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  availability_zone: string;
  created_at: string;
  updated_at: string | null;
  group_type_id: string;
  volume_type_ids: string[];
  group_snapshot_id: string | null;
  source_group_id: string | null;
  replication_status: string | null;
  project_id: string;
  user_id: string;
  /** Set once the "scheduler" placed the group; a group without host is destroyed at once on delete. */
  host: string | null;
}

export interface GroupSnapshotRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string;
  updated_at: string | null;
  group_id: string;
  group_type_id: string;
  project_id: string;
  user_id: string;
}

export interface VolumeRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  attach_status: string;
  migration_status: string | null;
  size: number;
  volume_type_id: string;
  availability_zone: string;
  created_at: string;
  updated_at: string | null;
  group_id: string | null;
  replication_status: string | null;
  multiattach: boolean;
  bootable: boolean;
  project_id: string;
  user_id: string;
  host: string | null;
  snapshot_id: string | null;
  source_volid: string | null;
  metadata: Record<string, string>;
}

/** A volume snapshot: made by a group snapshot (one per volume of the group) in this simulator. */
export interface SnapshotRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  /** `volume_size`: the volume's size when the snapshot was taken. */
  size: number;
  volume_id: string;
  group_snapshot_id: string | null;
  created_at: string;
  updated_at: string | null;
  project_id: string;
  user_id: string;
  progress: string;
  use_quota: boolean;
  metadata: Record<string, string>;
}

/** An availability zone, as `list_availability_zones` derives it from the volume services. */
export interface ZoneRow {
  name: string;
  available: boolean;
}

/** `quota_*` options of cinder.conf (quota.py) at their defaults: what a project without its own limits gets. */
export const DEFAULT_QUOTAS: Readonly<Record<string, number>> = {
  volumes: 10,
  per_volume_gigabytes: -1,
  snapshots: 10,
  gigabytes: 1000,
  backups: 10,
  backup_gigabytes: 1000,
  groups: 10,
};

/** Who reads: `project_only` queries hide other projects' rows, and private types, from non-admins. */
export interface Viewer {
  projectId: string;
  isAdmin: boolean;
}

const sees = (who: Viewer | undefined, row: { project_id: string }) => !who || who.isAdmin || row.project_id === who.projectId;
const seesType = (who: Viewer | undefined, t: { is_public: boolean }) => !who || who.isAdmin || t.is_public;

export const SIM_HOST = 'cinder-sim@lvmdriver-1#lvmdriver-1';
export const SIM_USER = 'c0ffee00d15ea5e0b0a7000000000001';

export class CinderState {
  readonly volumeTypes = new Map<string, VolumeTypeRow>();
  readonly groupTypes = new Map<string, GroupTypeRow>();
  readonly groups = new Map<string, GroupRow>();
  readonly groupSnapshots = new Map<string, GroupSnapshotRow>();
  readonly volumes = new Map<string, VolumeRow>();
  readonly snapshots = new Map<string, SnapshotRow>();
  /** Per-project limits set by an admin (`quotas` table); anything not set is DEFAULT_QUOTAS. */
  readonly quotaLimits = new Map<string, Record<string, number>>();
  /** The zones of the simulated volume service(s). */
  readonly zones: ZoneRow[] = [{ name: 'nova', available: true }];
  /** Id of the group type `/group_types/default` answers with (none → 404). */
  defaultGroupTypeId: string | null = null;
  /** Id of the volume type used when a volume is created without one. */
  defaultVolumeTypeId: string | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** The default project: where the seed lands and rows created without a project go. */
    readonly projectId: string,
    readonly transitionMs: number,
  ) {}

  /** Runs `fn` after the configured transition delay, as the volume service would finish the work. */
  later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.transitionMs);
    t.unref();
    this.timers.add(t);
  }

  /** Cancels pending transitions (call when the simulator shuts down). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  newId(): string {
    return randomUUID();
  }

  now(): string {
    return cinderTime();
  }

  // ---- lookups that raise Cinder's NotFound texts; with a viewer, as that caller's `project_only` reads
  requireGroup(id: string, who?: Viewer): GroupRow {
    const g = this.groups.get(id);
    if (!g || !sees(who, g)) throw notFound(`Group ${id} could not be found.`);
    return g;
  }

  requireGroupSnapshot(id: string, who?: Viewer): GroupSnapshotRow {
    const s = this.groupSnapshots.get(id);
    if (!s || !sees(who, s)) throw notFound(`GroupSnapshot ${id} could not be found.`);
    return s;
  }

  requireVolume(id: string, who?: Viewer): VolumeRow {
    const v = this.volumes.get(id);
    if (!v || !sees(who, v)) throw notFound(`Volume ${id} could not be found.`);
    return v;
  }

  requireSnapshot(id: string, who?: Viewer): SnapshotRow {
    const s = this.snapshots.get(id);
    if (!s || !sees(who, s)) throw notFound(`Snapshot ${id} could not be found.`);
    return s;
  }

  snapshotsOfVolume(volumeId: string): SnapshotRow[] {
    return [...this.snapshots.values()].filter((s) => s.volume_id === volumeId);
  }

  snapshotsOfGroupSnapshot(groupSnapshotId: string): SnapshotRow[] {
    return [...this.snapshots.values()].filter((s) => s.group_snapshot_id === groupSnapshotId);
  }

  /** `get_project_quotas(usages=True)` for the resources the simulator has: limit, in use (rows), reserved 0. */
  quotaUsage(projectId: string): Record<string, { limit: number; in_use: number; reserved: number }> {
    const limits = { ...DEFAULT_QUOTAS, ...this.quotaLimits.get(projectId) };
    const volumes = [...this.volumes.values()].filter((v) => v.project_id === projectId);
    const snaps = [...this.snapshots.values()].filter((s) => s.project_id === projectId);
    const groups = [...this.groups.values()].filter((g) => g.project_id === projectId);
    const sum = (rows: { size: number }[]) => rows.reduce((n, r) => n + r.size, 0);
    const entry = (key: string, inUse: number) => ({ limit: limits[key] ?? -1, in_use: inUse, reserved: 0 });
    const out: Record<string, { limit: number; in_use: number; reserved: number }> = {
      volumes: entry('volumes', volumes.length),
      per_volume_gigabytes: entry('per_volume_gigabytes', 0),
      snapshots: entry('snapshots', snaps.length),
      // Snapshots count against gigabytes too (no_snapshot_gb_quota = False).
      gigabytes: entry('gigabytes', sum(volumes) + sum(snaps)),
      backups: entry('backups', 0),
      backup_gigabytes: entry('backup_gigabytes', 0),
    };
    // One volumes_/gigabytes_/snapshots_ entry per volume type, unlimited unless set.
    for (const t of this.volumeTypes.values()) {
      const vols = volumes.filter((v) => v.volume_type_id === t.id);
      const typeSnaps = snaps.filter((s) => this.volumes.get(s.volume_id)?.volume_type_id === t.id);
      out[`volumes_${t.name}`] = entry(`volumes_${t.name}`, vols.length);
      out[`gigabytes_${t.name}`] = entry(`gigabytes_${t.name}`, sum(vols) + sum(typeSnaps));
      out[`snapshots_${t.name}`] = entry(`snapshots_${t.name}`, typeSnaps.length);
    }
    out.groups = entry('groups', groups.length);
    return out;
  }

  /** The volume a `project_only` read finds, or undefined. */
  findVolume(id: string, who?: Viewer): VolumeRow | undefined {
    const v = this.volumes.get(id);
    return v && sees(who, v) ? v : undefined;
  }

  requireGroupType(id: string, who?: Viewer): GroupTypeRow {
    const t = this.groupTypes.get(id);
    if (!t || !seesType(who, t)) throw notFound(`Group type ${id} could not be found.`);
    return t;
  }

  requireVolumeType(id: string, who?: Viewer): VolumeTypeRow {
    const t = this.volumeTypes.get(id);
    if (!t || !seesType(who, t)) throw notFound(`Volume type ${id} could not be found.`);
    return t;
  }

  groupTypeByName(name: string, who?: Viewer): GroupTypeRow {
    for (const t of this.groupTypes.values()) if (t.name === name && seesType(who, t)) return t;
    throw notFound(`Group type with name ${name} could not be found.`);
  }

  /** `volume_types_get_by_name_or_id`: a UUID-looking value is an id, anything else a name. */
  volumeTypeByNameOrId(ref: string, uuidLike: boolean, who?: Viewer): VolumeTypeRow {
    if (uuidLike) return this.requireVolumeType(ref, who);
    for (const t of this.volumeTypes.values()) if (t.name === ref && seesType(who, t)) return t;
    throw notFound(`Volume type with name ${ref} could not be found.`);
  }

  /** The rows a list starts from: one project's, or every project's (admin `all_tenants`). */
  inScope<T extends { project_id: string }>(rows: Iterable<T>, projectId: string | null): T[] {
    return [...rows].filter((r) => projectId === null || r.project_id === projectId);
  }

  groupVolumes(groupId: string): VolumeRow[] {
    return [...this.volumes.values()].filter((v) => v.group_id === groupId);
  }

  groupSnapshotsOf(groupId: string): GroupSnapshotRow[] {
    return [...this.groupSnapshots.values()].filter((s) => s.group_id === groupId);
  }

  /** A group still being created from this group or group snapshot blocks deleting the source. */
  isSourceOfCreatingGroup(ref: { groupId?: string; groupSnapshotId?: string }): boolean {
    for (const g of this.groups.values()) {
      if (g.status !== 'creating') continue;
      if (ref.groupId && g.source_group_id === ref.groupId) return true;
      if (ref.groupSnapshotId && g.group_snapshot_id === ref.groupSnapshotId) return true;
    }
    return false;
  }

  isReplicatedGroupType(t: GroupTypeRow): boolean {
    const on = (k: string) => (t.group_specs[k] ?? '').trim().toLowerCase() === '<is> true';
    return on('group_replication_enabled') || on('consistent_group_replication_enabled');
  }

  isReplicatedVolumeType(t: VolumeTypeRow): boolean {
    return (t.extra_specs.replication_enabled ?? '').trim().toLowerCase() === '<is> true';
  }

  // ---- inserts with Cinder's defaults, used by the routes, the seed and tests
  addVolumeType(row: Partial<VolumeTypeRow> & { name: string }): VolumeTypeRow {
    const full: VolumeTypeRow = {
      id: this.newId(),
      description: null,
      is_public: true,
      extra_specs: {},
      created_at: this.now(),
      ...row,
    };
    this.volumeTypes.set(full.id, full);
    return full;
  }

  addGroupType(row: Partial<GroupTypeRow> & { name: string }): GroupTypeRow {
    const full: GroupTypeRow = {
      id: this.newId(),
      description: null,
      is_public: true,
      group_specs: {},
      created_at: this.now(),
      ...row,
    };
    this.groupTypes.set(full.id, full);
    return full;
  }

  addGroup(row: Partial<GroupRow> & { group_type_id: string; volume_type_ids: string[] }): GroupRow {
    const full: GroupRow = {
      id: this.newId(),
      name: null,
      description: null,
      status: 'available',
      availability_zone: 'nova',
      created_at: this.now(),
      updated_at: null,
      group_snapshot_id: null,
      source_group_id: null,
      replication_status: 'disabled',
      project_id: this.projectId,
      user_id: SIM_USER,
      host: SIM_HOST,
      ...row,
    };
    this.groups.set(full.id, full);
    return full;
  }

  addGroupSnapshot(row: Partial<GroupSnapshotRow> & { group_id: string; group_type_id: string }): GroupSnapshotRow {
    const full: GroupSnapshotRow = {
      id: this.newId(),
      name: null,
      description: null,
      status: 'available',
      created_at: this.now(),
      updated_at: null,
      project_id: this.projectId,
      user_id: SIM_USER,
      ...row,
    };
    this.groupSnapshots.set(full.id, full);
    return full;
  }

  addSnapshot(row: Partial<SnapshotRow> & { volume_id: string; size: number }): SnapshotRow {
    const full: SnapshotRow = {
      id: this.newId(),
      name: null,
      description: null,
      status: 'available',
      group_snapshot_id: null,
      created_at: this.now(),
      updated_at: null,
      project_id: this.projectId,
      user_id: SIM_USER,
      progress: '100%',
      use_quota: true,
      metadata: {},
      ...row,
    };
    this.snapshots.set(full.id, full);
    return full;
  }

  addVolume(row: Partial<VolumeRow> & { volume_type_id: string }): VolumeRow {
    const full: VolumeRow = {
      id: this.newId(),
      name: null,
      description: null,
      status: 'available',
      attach_status: 'detached',
      migration_status: null,
      size: 1,
      availability_zone: 'nova',
      created_at: this.now(),
      updated_at: null,
      group_id: null,
      replication_status: null,
      multiattach: false,
      bootable: false,
      project_id: this.projectId,
      user_id: SIM_USER,
      host: SIM_HOST,
      snapshot_id: null,
      source_volid: null,
      metadata: {},
      ...row,
    };
    this.volumes.set(full.id, full);
    return full;
  }
}
