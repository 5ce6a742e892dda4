/**
 * The members of protection groups: protected instances (servers), replication pairs (disks) and DR drills, as
 * records, with an index by group so the group's counters (`protected_instance_num`, `replication_num`,
 * `disaster_recovery_drill_num`) are always counted from them, never stored beside them.
 */
import type { DrillStatus, FaultLevel, InstanceStatus, PairStatus, ReplicationStatus } from './wire.js';

export interface SdrsInstanceRecord {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  server_group_id: string;
  status: InstanceStatus;
  progress: number;
  source_server: string;
  target_server: string;
  tags: { key: string; value: string }[];
  frozen: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SdrsPairRecord {
  id: string;
  projectId: string;
  name: string;
  description: string | null;
  server_group_id: string;
  status: PairStatus;
  progress: number;
  replication_status: ReplicationStatus;
  /** Production-site disk, DR-site disk. */
  volumeIds: readonly [string, string];
  /** The instance the pair is attached to, and as which device; null when it is not attached. */
  attachedTo: { protectedInstanceId: string; device: string } | null;
  fault_level: FaultLevel;
  volumeSize: number;
  volumeType: string;
  bootable: boolean;
  multiattach: boolean;
  /** Only rendered while `status` is `error`. */
  failureDetail: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SdrsDrillRecord {
  id: string;
  projectId: string;
  name: string;
  status: DrillStatus;
  server_group_id: string;
  drill_vpc_id: string;
  drill_servers: { protected_instance: string; drill_server_id: string }[];
  createdAtMs: number;
  updatedAtMs: number;
}

export type MemberKind = 'instances' | 'pairs' | 'drills';

interface Member {
  id: string;
  server_group_id: string;
}

/** A map of one kind of member plus the ids of each group's members. */
class MemberMap<T extends Member> {
  readonly byId = new Map<string, T>();
  private readonly byGroup = new Map<string, Set<string>>();

  add(m: T): void {
    this.remove(m.id);
    this.byId.set(m.id, m);
    let ids = this.byGroup.get(m.server_group_id);
    if (!ids) this.byGroup.set(m.server_group_id, (ids = new Set()));
    ids.add(m.id);
  }

  remove(id: string): void {
    const m = this.byId.get(id);
    if (!m) return;
    this.byId.delete(id);
    this.byGroup.get(m.server_group_id)?.delete(id);
  }

  ofGroup(groupId: string): T[] {
    return [...(this.byGroup.get(groupId) ?? [])].map((id) => this.byId.get(id)!);
  }

  count(groupId: string): number {
    return this.byGroup.get(groupId)?.size ?? 0;
  }

  all(): T[] {
    return [...this.byId.values()];
  }
}

/** The statuses a member takes over from its group while a group job runs or ends (both appendices list them). */
const MIRRORED: ReadonlySet<string> = new Set([
  'available', 'starting', 'error-starting', 'protected', 'reversing', 'failing-over', 'failed-over', 'reprotecting',
  'stopping', 'error-stopping', 'error-reversing', 'error-failing-over', 'error-reprotecting',
]);

// For groups whose own replication_status is null (created after an upgrade, trap 20): what their pairs show.
const DERIVED_REPLICATION: Partial<Record<string, ReplicationStatus>> = {
  protected: 'active', starting: 'copying', reprotecting: 'copying', reversing: 'copying', stopping: 'active-stopped',
  available: 'active-stopped', 'failed-over': 'inactive', 'failing-over': 'inactive',
};

export class SdrsMembers {
  readonly instances = new MemberMap<SdrsInstanceRecord>();
  readonly pairs = new MemberMap<SdrsPairRecord>();
  readonly drills = new MemberMap<SdrsDrillRecord>();

  count(kind: MemberKind, groupId: string): number {
    return this[kind].count(groupId);
  }

  /** The pairs attached to an instance, as its `attachment` lists them. */
  pairsOfInstance(instance: SdrsInstanceRecord): SdrsPairRecord[] {
    return this.pairs.ofGroup(instance.server_group_id).filter((p) => p.attachedTo?.protectedInstanceId === instance.id);
  }

  /**
   * A group job moved the group to `status`: its instances and pairs follow (the status appendices give members
   * the same protection statuses as groups). An `invalid` member (its server or disk deleted outside SDRS) keeps
   * its status: nothing SDRS does repairs it.
   */
  follow(group: { id: string; status: string; progress: number; replication_status: ReplicationStatus | null }, atMs: number): void {
    if (!MIRRORED.has(group.status)) return;
    for (const i of this.instances.ofGroup(group.id)) {
      if (i.status === 'invalid') continue;
      i.status = group.status as InstanceStatus;
      i.progress = group.progress;
      i.updatedAtMs = atMs;
    }
    for (const p of this.pairs.ofGroup(group.id)) {
      if (p.status === 'invalid') continue;
      p.status = group.status as PairStatus;
      p.progress = group.progress;
      p.replication_status = group.replication_status ?? DERIVED_REPLICATION[group.status] ?? p.replication_status;
      p.updatedAtMs = atMs;
    }
  }
}
