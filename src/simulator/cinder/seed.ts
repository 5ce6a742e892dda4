// Example data with fixed ids and names, so docs and snapshots show stable output.
import { type CinderState, DEFAULT_QUOTAS } from './state.js';

/** Cinder (Train+) always has this type; it is created by the DB migrations, not by the seed. */
export const DEFAULT_VOLUME_TYPE_ID = '0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e00';

export const SEED = {
  volumeTypes: {
    ssdReplicated: '0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e01',
    hddStandard: '0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e02',
    nvmeFast: '0d5c7f1e-8a4b-4c3d-9e2f-1a0b3c4d5e03',
  },
  groupTypes: {
    replicated: '7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b01',
    consistentSnapshot: '7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b02',
    generic: '7b2e9c40-3f1d-4a8e-b6c5-2d9e0f1a2b03',
  },
  groups: {
    dbClusterProd: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01',
    webTier: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b02',
    analyticsScratch: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b03',
    drFailoverDrill: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b04',
    emptyStaging: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b05',
  },
  groupSnapshots: {
    dbNightly: 'b7d6c5e4-a3b2-4c1d-9e0f-8a7b6c5d4e01',
    dbPreUpgrade: 'b7d6c5e4-a3b2-4c1d-9e0f-8a7b6c5d4e02',
    webRelease: 'b7d6c5e4-a3b2-4c1d-9e0f-8a7b6c5d4e03',
    drBaseline: 'b7d6c5e4-a3b2-4c1d-9e0f-8a7b6c5d4e04',
  },
  /** Volume ids are `3f8e2d1c-4b5a-4968-a7b6-c5d4e3f2a1NN`, NN = 01..10. */
  volume: (n: number) => `3f8e2d1c-4b5a-4968-a7b6-c5d4e3f2a1${String(n).padStart(2, '0')}`,
  /** The group snapshots' volume snapshots: `5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7cNN`, NN = 01..10 in seed order. */
  volumeSnapshot: (n: number) => `5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c${String(n).padStart(2, '0')}`,
} as const;

export function seedBuiltIns(state: CinderState): void {
  state.addVolumeType({
    id: DEFAULT_VOLUME_TYPE_ID,
    name: '__DEFAULT__',
    description: 'Default Volume Type',
    created_at: '2025-01-06T08:00:00.000000',
  });
  state.defaultVolumeTypeId = DEFAULT_VOLUME_TYPE_ID;
}

export function seedExamples(state: CinderState): void {
  const vt = SEED.volumeTypes;
  const gt = SEED.groupTypes;
  const g = SEED.groups;
  state.addVolumeType({
    id: vt.ssdReplicated,
    name: 'ssd-replicated',
    description: 'SSD pool, synchronously mirrored to the DR site',
    extra_specs: { volume_backend_name: 'ssd-pool', replication_enabled: '<is> True', replication_type: '<in> sync' },
    created_at: '2025-01-20T10:12:45.000000',
  });
  state.addVolumeType({
    id: vt.hddStandard,
    name: 'hdd-standard',
    description: 'Capacity HDD pool',
    extra_specs: { volume_backend_name: 'hdd-pool' },
    created_at: '2025-01-20T10:13:02.000000',
  });
  state.addVolumeType({
    id: vt.nvmeFast,
    name: 'nvme-fast',
    description: 'Low-latency NVMe pool',
    extra_specs: { volume_backend_name: 'nvme-pool', 'capabilities:thin_provisioning_support': '<is> True' },
    created_at: '2025-01-20T10:13:30.000000',
  });

  state.addGroupType({
    id: gt.replicated,
    name: 'replicated-consistent',
    description: 'Consistent snapshots and group replication',
    group_specs: { consistent_group_snapshot_enabled: '<is> True', group_replication_enabled: '<is> True' },
    created_at: '2025-01-21T09:00:00.000000',
  });
  state.addGroupType({
    id: gt.consistentSnapshot,
    name: 'consistent-snapshot',
    description: 'Crash-consistent group snapshots',
    group_specs: { consistent_group_snapshot_enabled: '<is> True' },
    created_at: '2025-01-21T09:01:00.000000',
  });
  state.addGroupType({
    id: gt.generic,
    name: 'generic',
    description: 'Plain grouping, no consistency guarantees',
    created_at: '2025-01-21T09:02:00.000000',
  });
  state.defaultGroupTypeId = gt.generic;

  state.addGroup({
    id: g.dbClusterProd,
    name: 'db-cluster-prod',
    description: 'PostgreSQL primary: data, WAL and config volumes',
    group_type_id: gt.replicated,
    volume_type_ids: [vt.ssdReplicated],
    replication_status: 'enabled',
    created_at: '2025-03-14T09:26:53.000000',
    updated_at: '2025-11-30T02:00:12.000000',
  });
  state.addGroup({
    id: g.webTier,
    name: 'web-tier',
    description: 'Web front-end volumes',
    group_type_id: gt.consistentSnapshot,
    volume_type_ids: [vt.hddStandard, vt.nvmeFast],
    created_at: '2025-06-02T14:05:11.000000',
  });
  state.addGroup({
    id: g.analyticsScratch,
    name: 'analytics-scratch',
    description: 'Scratch space; backend create failed',
    status: 'error',
    group_type_id: gt.generic,
    volume_type_ids: [vt.hddStandard],
    created_at: '2025-09-21T22:47:30.000000',
  });
  state.addGroup({
    id: g.drFailoverDrill,
    name: 'dr-failover-drill',
    description: 'Failed over to the DR site during the December drill',
    group_type_id: gt.replicated,
    volume_type_ids: [vt.ssdReplicated],
    replication_status: 'failed-over',
    created_at: '2025-12-08T07:15:42.000000',
    updated_at: '2025-12-09T03:40:05.000000',
  });
  state.addGroup({
    id: g.emptyStaging,
    name: 'empty-staging',
    description: 'No volumes yet',
    group_type_id: gt.generic,
    volume_type_ids: [vt.nvmeFast],
    created_at: '2026-02-17T11:32:08.000000',
  });

  const vol = (n: number, name: string, size: number, type: string, group: string | null, extra: object, at: string) =>
    state.addVolume({ id: SEED.volume(n), name, size, volume_type_id: type, group_id: group, created_at: at, ...extra });
  const rep = { replication_status: 'enabled' };
  vol(1, 'db-data', 500, vt.ssdReplicated, g.dbClusterProd, rep, '2025-03-14T09:31:02.000000');
  vol(2, 'db-wal', 100, vt.ssdReplicated, g.dbClusterProd, rep, '2025-03-14T09:31:40.000000');
  vol(3, 'db-config', 10, vt.ssdReplicated, g.dbClusterProd, { ...rep, status: 'in-use', attach_status: 'attached' }, '2025-03-14T09:32:15.000000');
  vol(4, 'web-content', 200, vt.hddStandard, g.webTier, { replication_status: 'disabled' }, '2025-06-02T14:09:27.000000');
  vol(5, 'web-cache', 50, vt.nvmeFast, g.webTier, { replication_status: 'disabled' }, '2025-06-02T14:10:03.000000');
  vol(6, 'scratch-01', 1000, vt.hddStandard, g.analyticsScratch, { status: 'error', replication_status: 'disabled' }, '2025-09-21T22:49:58.000000');
  vol(7, 'drill-app', 80, vt.ssdReplicated, g.drFailoverDrill, { replication_status: 'failed-over' }, '2025-12-08T07:18:20.000000');
  vol(8, 'drill-db', 120, vt.ssdReplicated, g.drFailoverDrill, { replication_status: 'failed-over' }, '2025-12-08T07:18:51.000000');
  vol(9, 'spare-hdd', 20, vt.hddStandard, null, { replication_status: 'disabled' }, '2026-01-05T16:44:10.000000');
  vol(10, 'spare-ssd', 40, vt.ssdReplicated, null, rep, '2026-03-02T08:05:37.000000');

  const snap = (id: string, name: string, group: string, type: string, status: string, at: string) =>
    state.addGroupSnapshot({ id, name, description: null, group_id: group, group_type_id: type, status, created_at: at });
  const s = SEED.groupSnapshots;
  snap(s.dbNightly, 'db-nightly-2025-11-30', g.dbClusterProd, gt.replicated, 'available', '2025-11-30T02:00:04.000000');
  snap(s.dbPreUpgrade, 'db-pre-upgrade', g.dbClusterProd, gt.replicated, 'available', '2026-01-19T18:22:31.000000');
  snap(s.webRelease, 'web-release-42', g.webTier, gt.consistentSnapshot, 'available', '2025-10-07T12:00:00.000000');
  snap(s.drBaseline, 'dr-drill-baseline', g.drFailoverDrill, gt.replicated, 'error', '2025-12-08T07:30:12.000000');

  // Each group snapshot's volume snapshots: one per volume its group held, as create_snapshots_in_db made them.
  let n = 0;
  for (const gs of [s.dbNightly, s.dbPreUpgrade, s.webRelease, s.drBaseline]) {
    const row = state.groupSnapshots.get(gs)!;
    for (const v of state.groupVolumes(row.group_id)) {
      state.addSnapshot({
        id: SEED.volumeSnapshot(++n),
        volume_id: v.id,
        size: v.size,
        group_snapshot_id: gs,
        name: row.name,
        status: row.status,
        progress: row.status === 'available' ? '100%' : '0%',
        created_at: row.created_at,
      });
    }
  }

  // The demo project's limits, raised as an operator would for it (Cinder's defaults allow 10 volumes).
  state.quotaLimits.set(state.projectId, { volumes: 100, gigabytes: 10_000, snapshots: 100, groups: 50 });
}

const hex12 = (n: number) => n.toString(16).padStart(12, '0');

/**
 * Raises the default project's limits by `added`, as an operator makes room for data brought in: the quotas are
 * enforced, and what the project could still create stays what it was. Unlimited (-1) stays unlimited.
 */
function raiseQuotas(state: CinderState, added: Record<string, number>): void {
  const limits = { ...DEFAULT_QUOTAS, ...state.quotaLimits.get(state.projectId) };
  const raised = Object.fromEntries(Object.entries(added).map(([k, n]) => [k, (limits[k] ?? -1) < 0 ? -1 : (limits[k] ?? 0) + n]));
  state.quotaLimits.set(state.projectId, { ...state.quotaLimits.get(state.projectId), ...raised });
}

/**
 * `extraGroups` for benchmarks: each with two volumes and one snapshot; ids are deterministic per index. The
 * project's quotas grow by what they hold (2 × 10 GiB volumes and their 2 × 10 GiB snapshots each).
 */
export function seedExtraGroups(state: CinderState, count: number): void {
  const base = Date.UTC(2026, 3, 1);
  const vtypes = [...state.volumeTypes.values()].filter((t) => t.name !== '__DEFAULT__');
  const gtypes = [...state.groupTypes.values()];
  const vt = vtypes[0] ?? state.volumeTypes.get(DEFAULT_VOLUME_TYPE_ID);
  const gtype = gtypes[0] ?? state.addGroupType({ id: 'e0000000-0000-4000-8000-000000000000', name: 'bench-generic' });
  if (!vt) return;
  raiseQuotas(state, { groups: count, volumes: 2 * count, snapshots: 2 * count, gigabytes: 40 * count });
  const at = (n: number, s: number) => `${new Date(base + n * 60_000 + s * 1000).toISOString().slice(0, 19)}.000000`;
  for (let i = 1; i <= count; i++) {
    const g = state.addGroup({
      id: `e1000000-0000-4000-8000-${hex12(i)}`,
      name: `bench-group-${String(i).padStart(5, '0')}`,
      description: 'Generated for benchmarks',
      group_type_id: gtype.id,
      volume_type_ids: [vt.id],
      created_at: at(i, 0),
    });
    for (const k of [0, 1]) {
      state.addVolume({
        id: `e2000000-0000-4000-8000-${hex12(i * 2 + k)}`,
        name: `bench-vol-${i}-${k}`,
        size: 10,
        volume_type_id: vt.id,
        group_id: g.id,
        replication_status: 'disabled',
        created_at: at(i, 10 + k),
      });
    }
    const gs = state.addGroupSnapshot({
      id: `e3000000-0000-4000-8000-${hex12(i)}`,
      name: `bench-snap-${i}`,
      group_id: g.id,
      group_type_id: gtype.id,
      created_at: at(i, 30),
    });
    for (const k of [0, 1]) {
      state.addSnapshot({
        id: `e4000000-0000-4000-8000-${hex12(i * 2 + k)}`,
        name: gs.name,
        volume_id: `e2000000-0000-4000-8000-${hex12(i * 2 + k)}`,
        size: 10,
        group_snapshot_id: gs.id,
        created_at: gs.created_at,
      });
    }
  }
}
