import { randomUUID } from 'node:crypto';

/** In-memory Manila database rows, snake_case like Manila's models. */

export interface ShareTypeRow {
  id: string;
  name: string;
  description: string | null;
  is_public: boolean;
  extra_specs: Record<string, string>;
}

export interface ShareGroupTypeRow {
  id: string;
  name: string;
  is_public: boolean;
  group_specs: Record<string, string>;
  share_types: string[];
  /** Projects a private type is shared with (`share_group_type_projects`). */
  projects: string[];
}

export interface ShareNetworkRow {
  id: string;
  name: string | null;
  description: string | null;
  project_id: string;
  created_at: string;
  updated_at: string | null;
  /** The default subnet (availability zone null) every network gets on create from 2.51. */
  subnet_id: string;
  subnet_created_at: string;
  subnet_availability_zone: string | null;
  /** Null for a network created without Neutron ids, as the contract suite makes them. */
  neutron_net_id: string | null;
  neutron_subnet_id: string | null;
  network_type: string | null;
  segmentation_id: number | null;
  cidr: string | null;
  ip_version: number | null;
  gateway: string | null;
  mtu: number | null;
}

export interface ShareGroupRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string;
  project_id: string;
  user_id: string;
  host: string | null;
  share_group_type_id: string;
  source_share_group_snapshot_id: string | null;
  share_network_id: string | null;
  share_server_id: string | null;
  share_types: string[];
  availability_zone: string | null;
  availability_zone_id: string | null;
  consistent_snapshot_support: string | null;
}

export interface ShareRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  size: number;
  share_proto: string;
  /** Null for a share created without a type while no default share type is configured. */
  share_type_id: string | null;
  share_network_id: string | null;
  share_server_id: string | null;
  share_group_id: string | null;
  source_share_group_snapshot_member_id: string | null;
  consistency_group_id: string | null;
  source_cgsnapshot_member_id: string | null;
  snapshot_id: string | null;
  availability_zone: string | null;
  created_at: string;
  project_id: string;
  user_id: string;
  host: string | null;
  is_public: boolean;
  metadata: Record<string, string>;
  export_locations: string[];
}

/** A share group snapshot member or a cgsnapshot member (same columns that matter here). */
export interface SnapshotMemberRow {
  id: string;
  created_at: string;
  size: number;
  share_proto: string;
  share_type_id: string | null;
  project_id: string;
  share_id: string;
  status: string;
}

export interface GroupSnapshotRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string;
  project_id: string;
  user_id: string;
  /** share_group_id for share group snapshots, consistency_group_id for cgsnapshots. */
  group_id: string;
  members: SnapshotMemberRow[];
}

export interface ConsistencyGroupRow {
  id: string;
  name: string | null;
  description: string | null;
  status: string;
  created_at: string;
  project_id: string;
  user_id: string;
  host: string | null;
  source_cgsnapshot_id: string | null;
  share_network_id: string | null;
  share_server_id: string | null;
  share_types: string[];
}

export type PendingKind = 'share_group' | 'share_group_snapshot' | 'share' | 'consistency_group' | 'cgsnapshot';

interface Pending {
  due: number;
  kind: PendingKind;
  id: string;
  /** 'available' (creating finished) or 'gone' (deleting finished). */
  to: 'available' | 'gone';
}

export const AVAILABILITY_ZONE = { id: '3f0c7c51-5a7e-4d0b-9b1a-1d2c3e4f5a60', name: 'nova' } as const;
export const SIM_HOST = 'manila-sim@generic1#pool0';

/** Manila's naive timestamp format: `2025-06-02T10:15:22.000000` (UTC, no zone). */
export function manilaTime(d: Date = new Date()): string {
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000`;
}

export function newId(): string {
  return randomUUID();
}

/** The whole simulated database, plus the clock that moves transitional statuses on. */
export class ManilaState {
  readonly shareTypes = new Map<string, ShareTypeRow>();
  readonly shareGroupTypes = new Map<string, ShareGroupTypeRow>();
  readonly shareNetworks = new Map<string, ShareNetworkRow>();
  readonly shareGroups = new Map<string, ShareGroupRow>();
  readonly shareGroupSnapshots = new Map<string, GroupSnapshotRow>();
  readonly shares = new Map<string, ShareRow>();
  readonly consistencyGroups = new Map<string, ConsistencyGroupRow>();
  readonly cgSnapshots = new Map<string, GroupSnapshotRow>();
  private pending: Pending[] = [];
  /**
   * Manila's `default_share_type` and `default_share_group_type` options: type *names*, null when unset (as on a
   * fresh manila-api). A type is "the default" only through these, never through a flag on its row.
   */
  defaultShareTypeName: string | null = null;
  defaultShareGroupTypeName: string | null = null;
  /** Quota limits an admin set per project (`PUT /quota-sets/{project}`); the rest are Manila's defaults. */
  readonly quotaLimits = new Map<string, Record<string, number>>();

  constructor(
    readonly projectId: string,
    readonly transitionMs: number,
  ) {}

  /** Queue a status change that a real scheduler/driver would make later. */
  schedule(kind: PendingKind, id: string, to: 'available' | 'gone'): void {
    this.pending = this.pending.filter((p) => !(p.kind === kind && p.id === id));
    this.pending.push({ due: Date.now() + this.transitionMs, kind, id, to });
  }

  /** Drop a queued change, e.g. after an admin reset_status. */
  cancel(kind: PendingKind, id: string): void {
    this.pending = this.pending.filter((p) => !(p.kind === kind && p.id === id));
  }

  /** Apply every transition that is due. Called before each request is handled. */
  tick(now: number = Date.now()): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((p) => p.due <= now);
    if (due.length === 0) return;
    this.pending = this.pending.filter((p) => p.due > now);
    for (const p of due) this.apply(p);
  }

  private apply(p: Pending): void {
    switch (p.kind) {
      case 'share_group': {
        const g = this.shareGroups.get(p.id);
        if (!g) return;
        if (p.to === 'gone') this.shareGroups.delete(p.id);
        else if (g.status === 'creating') {
          g.status = 'available';
          g.host ??= SIM_HOST;
          // share/manager.py _get_az_for_share_group: a group created without a zone gets its service's zone.
          g.availability_zone ??= AVAILABILITY_ZONE.name;
          g.availability_zone_id ??= AVAILABILITY_ZONE.id;
          // The share manager records what the backend reports; the API (and reset_status) never set it. The
          // group type's spec stands in for the capability of the backend the scheduler matched it with.
          g.consistent_snapshot_support =
            this.shareGroupTypes.get(g.share_group_type_id)?.group_specs.consistent_snapshot_support ?? null;
        }
        return;
      }
      case 'consistency_group': {
        const g = this.consistencyGroups.get(p.id);
        if (!g) return;
        if (p.to === 'gone') this.consistencyGroups.delete(p.id);
        else if (g.status === 'creating') {
          g.status = 'available';
          g.host ??= SIM_HOST;
        }
        return;
      }
      case 'share_group_snapshot':
      case 'cgsnapshot': {
        const table = p.kind === 'cgsnapshot' ? this.cgSnapshots : this.shareGroupSnapshots;
        const s = table.get(p.id);
        if (!s) return;
        if (p.to === 'gone') table.delete(p.id);
        else if (s.status === 'creating') {
          s.status = 'available';
          for (const m of s.members) m.status = 'available';
        }
        return;
      }
      case 'share': {
        const s = this.shares.get(p.id);
        if (!s) return;
        if (p.to === 'gone') this.shares.delete(p.id);
        else if (s.status === 'creating') {
          s.status = 'available';
          s.host ??= SIM_HOST;
          s.availability_zone ??= AVAILABILITY_ZONE.name;
          if (s.export_locations.length === 0) s.export_locations = [exportPath(s)];
        }
        return;
      }
    }
  }

  /** `share_types.get_default_share_type`: the type named by the option, if the option is set and it exists. */
  defaultShareType(): ShareTypeRow | undefined {
    const name = this.defaultShareTypeName;
    return name === null ? undefined : [...this.shareTypes.values()].find((t) => t.name === name);
  }

  /** `share_group_types.get_default`: likewise for `default_share_group_type`. */
  defaultShareGroupType(): ShareGroupTypeRow | undefined {
    const name = this.defaultShareGroupTypeName;
    return name === null ? undefined : [...this.shareGroupTypes.values()].find((t) => t.name === name);
  }

  sharesInGroup(groupId: string): ShareRow[] {
    return [...this.shares.values()].filter((s) => s.share_group_id === groupId);
  }

  sharesInCg(cgId: string): ShareRow[] {
    return [...this.shares.values()].filter((s) => s.consistency_group_id === cgId);
  }

  snapshotsOfGroup(groupId: string): GroupSnapshotRow[] {
    return [...this.shareGroupSnapshots.values()].filter((s) => s.group_id === groupId);
  }

  snapshotsOfCg(cgId: string): GroupSnapshotRow[] {
    return [...this.cgSnapshots.values()].filter((s) => s.group_id === cgId);
  }

  /** Finds a share group snapshot member (or cgsnapshot member) by id. */
  findMember(memberId: string, legacy: boolean): SnapshotMemberRow | undefined {
    const table = legacy ? this.cgSnapshots : this.shareGroupSnapshots;
    for (const s of table.values()) {
      const m = s.members.find((x) => x.id === memberId);
      if (m) return m;
    }
    return undefined;
  }
}

export function exportPath(s: Pick<ShareRow, 'id' | 'share_proto'>): string {
  return s.share_proto.toUpperCase() === 'CIFS'
    ? `\\\\10.0.0.20\\share-${s.id.slice(0, 8)}`
    : `10.0.0.20:/shares/share-${s.id}`;
}
