import {
  AVAILABILITY_ZONE,
  SIM_HOST,
  exportPath,
  type GroupSnapshotRow,
  type ManilaState,
  type ShareRow,
} from './state.js';
import { DEFAULT_LIMITS } from './routes-quotas.js';

/** Deterministic example data: fixed UUIDs, names and timestamps, so tests and demos can rely on them. */

export const SEED_USER_ID = 'c2d4e6f8a0b24c6e8f0a1b2c3d4e5f60';

export const SEED_IDS = {
  shareTypes: {
    defaultNfs: '5b9c0e1a-3f4d-4c2b-9a7e-0d1e2f3a4b01',
    goldDhss: '5b9c0e1a-3f4d-4c2b-9a7e-0d1e2f3a4b02',
    cephfs: '5b9c0e1a-3f4d-4c2b-9a7e-0d1e2f3a4b03',
  },
  shareGroupTypes: {
    default: '7c3e5a91-2b4d-4f6a-8c0e-1a2b3c4d5e01',
    replicated: '7c3e5a91-2b4d-4f6a-8c0e-1a2b3c4d5e02',
  },
  shareNetworks: {
    prod: '9d1f3b5c-7e9a-4b2c-8d4e-6f8a0b2c4d01',
    dev: '9d1f3b5c-7e9a-4b2c-8d4e-6f8a0b2c4d02',
  },
  shareServer: '4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c01',
  shareGroups: {
    dbCluster: 'a1b2c3d4-0001-4a5b-8c7d-9e0f1a2b3c01',
    webAssets: 'a1b2c3d4-0002-4a5b-8c7d-9e0f1a2b3c02',
    analytics: 'a1b2c3d4-0003-4a5b-8c7d-9e0f1a2b3c03',
    staging: 'a1b2c3d4-0004-4a5b-8c7d-9e0f1a2b3c04',
    emptyAvailable: 'a1b2c3d4-0005-4a5b-8c7d-9e0f1a2b3c05',
  },
  shareGroupSnapshots: {
    dbNightly: 'b2c3d4e5-0001-4b6c-9d8e-0f1a2b3c4d01',
    dbFailed: 'b2c3d4e5-0002-4b6c-9d8e-0f1a2b3c4d02',
    webRelease: 'b2c3d4e5-0003-4b6c-9d8e-0f1a2b3c4d03',
  },
  consistencyGroups: {
    legacyDb: 'c3d4e5f6-0001-4c7d-8e9f-1a2b3c4d5e01',
    legacyLogs: 'c3d4e5f6-0002-4c7d-8e9f-1a2b3c4d5e02',
  },
  cgSnapshots: {
    legacyDbSnap: 'd4e5f6a7-0001-4d8e-9fa0-2b3c4d5e6f01',
  },
} as const;

/**
 * What the seeded deployment sets `default_share_type` / `default_share_group_type` to (names, as in manila.conf),
 * unless the simulator options say otherwise.
 */
export const SEED_DEFAULTS = { shareType: 'default_nfs', shareGroupType: 'default_group_type' } as const;

/** Share ids: `e5f6a7b8-00NN-…`, in creation order. */
export function seedShareId(n: number): string {
  return `e5f6a7b8-${String(n).padStart(4, '0')}-4e9f-8a0b-3c4d5e6f7a${String(n).padStart(2, '0')}`;
}

function seedMemberId(n: number): string {
  return `f6a7b8c9-${String(n).padStart(4, '0')}-4fa0-9b1c-4d5e6f7a8b${String(n).padStart(2, '0')}`;
}

/** Minutes after 2025-06-02T10:15:22 UTC, in Manila's naive format. */
function ts(minutes: number): string {
  const d = new Date(Date.UTC(2025, 5, 2, 10, 15, 22) + minutes * 60_000);
  return `${d.toISOString().slice(0, 19)}.000000`;
}

function seedTypesAndNetworks(st: ManilaState): void {
  const T = SEED_IDS.shareTypes;
  st.shareTypes.set(T.defaultNfs, {
    id: T.defaultNfs, name: SEED_DEFAULTS.shareType, description: 'NFS on the generic backend (default)', is_public: true,
    extra_specs: { driver_handles_share_servers: 'False', snapshot_support: 'True', create_share_from_snapshot_support: 'True' },
  });
  st.shareTypes.set(T.goldDhss, {
    id: T.goldDhss, name: 'gold_dhss', description: 'Share servers per share network', is_public: true,
    extra_specs: { driver_handles_share_servers: 'True', snapshot_support: 'True' },
  });
  st.shareTypes.set(T.cephfs, {
    id: T.cephfs, name: 'cephfs_native', description: null, is_public: true,
    extra_specs: { driver_handles_share_servers: 'False', snapshot_support: 'False' },
  });
  const G = SEED_IDS.shareGroupTypes;
  st.shareGroupTypes.set(G.default, {
    id: G.default, name: SEED_DEFAULTS.shareGroupType, is_public: true,
    group_specs: { consistent_snapshot_support: 'pool' }, share_types: [T.defaultNfs, T.goldDhss], projects: [],
  });
  st.shareGroupTypes.set(G.replicated, {
    id: G.replicated, name: 'dhss_group_type', is_public: true,
    group_specs: {}, share_types: [T.goldDhss], projects: [],
  });
  const N = SEED_IDS.shareNetworks;
  const net = (id: string, name: string, n: number, created: string) => ({
    id, name, description: `${name} tenant network`, project_id: st.projectId, created_at: created, updated_at: null,
    subnet_created_at: created, subnet_availability_zone: null, subnet_id: `0a1b2c3d-000${n}-4e5f-8a9b-0c1d2e3f4a5${n}`,
    neutron_net_id: `1b2c3d4e-000${n}-4f5a-9b0c-1d2e3f4a5b6${n}`,
    neutron_subnet_id: `2c3d4e5f-000${n}-4a5b-8c0d-2e3f4a5b6c7${n}`,
    network_type: 'vxlan', segmentation_id: 1000 + n, cidr: `10.${n}.0.0/24`, ip_version: 4,
    gateway: `10.${n}.0.1`, mtu: 1450,
  });
  st.shareNetworks.set(N.prod, net(N.prod, 'prod-net', 1, ts(-600)));
  st.shareNetworks.set(N.dev, net(N.dev, 'dev-net', 2, ts(-590)));
}

function share(st: ManilaState, n: number, p: Partial<ShareRow> & { name: string; created_at: string }): ShareRow {
  const row: ShareRow = {
    id: seedShareId(n), description: null, status: 'available', size: 10, share_proto: 'NFS',
    share_type_id: SEED_IDS.shareTypes.defaultNfs, share_network_id: null, share_server_id: null,
    share_group_id: null, source_share_group_snapshot_member_id: null, consistency_group_id: null,
    source_cgsnapshot_member_id: null, snapshot_id: null, availability_zone: AVAILABILITY_ZONE.name,
    project_id: st.projectId, user_id: SEED_USER_ID, host: SIM_HOST, is_public: false, metadata: {},
    export_locations: [], ...p,
  };
  if (row.status === 'available' && row.export_locations.length === 0) row.export_locations = [exportPath(row)];
  st.shares.set(row.id, row);
  return row;
}

function snapshotOf(st: ManilaState, id: string, groupId: string, name: string, status: string, created: string,
  shares: ShareRow[], memberBase: number): GroupSnapshotRow {
  return {
    id, name, description: null, status, created_at: created, project_id: st.projectId, user_id: SEED_USER_ID,
    group_id: groupId,
    members: shares.map((s, i) => ({
      id: seedMemberId(memberBase + i), created_at: created, size: s.size, share_proto: s.share_proto,
      share_type_id: s.share_type_id, project_id: st.projectId, share_id: s.id, status,
    })),
  };
}

/** Share groups, their shares and snapshots (Zed mode). */
export function seedShareGroups(st: ManilaState): void {
  seedTypesAndNetworks(st);
  const T = SEED_IDS.shareTypes;
  const G = SEED_IDS.shareGroups;
  const base = {
    project_id: st.projectId, user_id: SEED_USER_ID, host: SIM_HOST, share_group_type_id: SEED_IDS.shareGroupTypes.default,
    source_share_group_snapshot_id: null, share_network_id: null, share_server_id: null,
    availability_zone: AVAILABILITY_ZONE.name, availability_zone_id: AVAILABILITY_ZONE.id,
    consistent_snapshot_support: 'pool',
  };
  const groups = [
    { ...base, id: G.dbCluster, name: 'db-cluster', description: 'Postgres data, WAL and config', status: 'available',
      created_at: ts(0), share_types: [T.goldDhss], share_network_id: SEED_IDS.shareNetworks.prod },
    { ...base, id: G.webAssets, name: 'web-assets', description: 'Static assets for the storefront', status: 'available',
      created_at: ts(5), share_types: [T.goldDhss], share_network_id: SEED_IDS.shareNetworks.prod,
      share_server_id: SEED_IDS.shareServer },
    { ...base, id: G.analytics, name: 'analytics-scratch', description: null, status: 'error', created_at: ts(10),
      share_types: [T.goldDhss], share_group_type_id: SEED_IDS.shareGroupTypes.replicated,
      share_network_id: SEED_IDS.shareNetworks.dev, consistent_snapshot_support: null },
    { ...base, id: G.staging, name: 'staging-new', description: 'Still being scheduled', status: 'creating',
      created_at: ts(15), share_types: [T.defaultNfs], host: null },
    { ...base, id: G.emptyAvailable, name: 'empty-group', description: 'No shares yet', status: 'available',
      created_at: ts(20), share_types: [T.defaultNfs] },
  ];
  for (const g of groups) st.shareGroups.set(g.id, g);

  // Groups on a share network use a driver_handles_share_servers=True type, as real Manila insists.
  const net = SEED_IDS.shareNetworks.prod;
  const dhss = { share_type_id: T.goldDhss, share_server_id: SEED_IDS.shareServer };
  const db = [
    share(st, 1, { ...dhss, name: 'db-data', size: 100, share_group_id: G.dbCluster, share_network_id: net, created_at: ts(1) }),
    share(st, 2, { ...dhss, name: 'db-wal', size: 20, share_group_id: G.dbCluster, share_network_id: net, created_at: ts(2) }),
    share(st, 3, { ...dhss, name: 'db-config', size: 1, share_group_id: G.dbCluster, share_network_id: net, created_at: ts(3) }),
  ];
  const web = [
    share(st, 4, { ...dhss, name: 'web-static', size: 50, share_group_id: G.webAssets, share_network_id: net, created_at: ts(6) }),
    share(st, 5, { ...dhss, name: 'web-uploads', size: 200, share_group_id: G.webAssets, share_network_id: net,
      created_at: ts(7) }),
    share(st, 6, { ...dhss, name: 'web-cifs', size: 5, share_proto: 'CIFS', share_group_id: G.webAssets, share_network_id: net,
      created_at: ts(8) }),
  ];
  share(st, 7, { name: 'analytics-tmp', size: 500, status: 'error', share_group_id: G.analytics,
    share_type_id: T.goldDhss, share_network_id: SEED_IDS.shareNetworks.dev, created_at: ts(11), host: null });
  share(st, 8, { name: 'standalone-home', size: 10, created_at: ts(25) });

  const S = SEED_IDS.shareGroupSnapshots;
  st.shareGroupSnapshots.set(S.dbNightly, snapshotOf(st, S.dbNightly, G.dbCluster, 'db-nightly', 'available', ts(60), db, 1));
  st.shareGroupSnapshots.set(S.dbFailed, snapshotOf(st, S.dbFailed, G.dbCluster, 'db-failed', 'error', ts(61), db, 4));
  st.shareGroupSnapshots.set(S.webRelease, snapshotOf(st, S.webRelease, G.webAssets, 'web-release-42', 'available', ts(62), web, 7));
}

/**
 * Raises the default project's limits by `added`, as an operator makes room for data brought in: the quotas are
 * enforced, and what the project could still create stays what it was. Unlimited (-1) stays unlimited.
 */
function raiseQuotas(st: ManilaState, added: Record<string, number>): void {
  const limits = { ...DEFAULT_LIMITS, ...st.quotaLimits.get(st.projectId) };
  const raised = Object.fromEntries(Object.entries(added).map(([k, n]) => [k, (limits[k] ?? -1) < 0 ? -1 : (limits[k] ?? 0) + n]));
  st.quotaLimits.set(st.projectId, { ...st.quotaLimits.get(st.projectId), ...raised });
}

/**
 * Benchmark filler: N groups of 2 shares (1 GiB each) and 1 snapshot each, created before the seeded ones. The
 * project's quotas grow by what they hold.
 */
export function seedExtraShareGroups(st: ManilaState, count: number): void {
  raiseQuotas(st, { share_groups: count, shares: 2 * count, gigabytes: 2 * count, share_group_snapshots: count });
  const typeId = SEED_IDS.shareTypes.defaultNfs;
  for (let i = 0; i < count; i++) {
    const hex = (prefix: string, k: number) => `${prefix}-0000-4000-8000-${(i * 4 + k).toString(16).padStart(12, '0')}`;
    const created = ts(-10_000 - i);
    const gid = hex('0e0e0e0e', 0);
    st.shareGroups.set(gid, {
      id: gid, name: `bench-group-${i}`, description: null, status: 'available', created_at: created,
      project_id: st.projectId, user_id: SEED_USER_ID, host: SIM_HOST, share_group_type_id: SEED_IDS.shareGroupTypes.default,
      source_share_group_snapshot_id: null, share_network_id: null, share_server_id: null, share_types: [typeId],
      availability_zone: AVAILABILITY_ZONE.name, availability_zone_id: AVAILABILITY_ZONE.id, consistent_snapshot_support: 'pool',
    });
    const shares = [1, 2].map((k) => {
      const row: ShareRow = {
        id: hex('0f0f0f0f', k), name: `bench-share-${i}-${k}`, description: null, status: 'available', size: 1,
        share_proto: 'NFS', share_type_id: typeId, share_network_id: null, share_server_id: null, share_group_id: gid,
        source_share_group_snapshot_member_id: null, consistency_group_id: null, source_cgsnapshot_member_id: null,
        snapshot_id: null, availability_zone: AVAILABILITY_ZONE.name, created_at: created, project_id: st.projectId,
        user_id: SEED_USER_ID, host: SIM_HOST, is_public: false, metadata: {}, export_locations: [],
      };
      row.export_locations = [exportPath(row)];
      st.shares.set(row.id, row);
      return row;
    });
    const sid = hex('0d0d0d0d', 3);
    const snap = snapshotOf(st, sid, gid, `bench-snap-${i}`, 'available', created, shares, 0);
    snap.members.forEach((m, k) => (m.id = hex('0c0c0c0c', k + 1)));
    st.shareGroupSnapshots.set(sid, snap);
  }
}

/** Legacy (≤2.30) deployment: consistency groups with shares and a cgsnapshot. */
export function seedConsistencyGroups(st: ManilaState): void {
  seedTypesAndNetworks(st);
  const C = SEED_IDS.consistencyGroups;
  const T = SEED_IDS.shareTypes;
  const base = {
    project_id: st.projectId, user_id: SEED_USER_ID, host: SIM_HOST, source_cgsnapshot_id: null,
    share_server_id: null, share_types: [T.defaultNfs],
  };
  st.consistencyGroups.set(C.legacyDb, {
    ...base, id: C.legacyDb, name: 'legacy-db', description: 'Database shares (CG era)', status: 'available',
    created_at: ts(0), share_network_id: SEED_IDS.shareNetworks.prod,
  });
  st.consistencyGroups.set(C.legacyLogs, {
    ...base, id: C.legacyLogs, name: 'legacy-logs', description: null, status: 'available', created_at: ts(5),
    share_network_id: null,
  });
  const db = [
    share(st, 1, { name: 'legacy-db-data', size: 100, consistency_group_id: C.legacyDb, created_at: ts(1),
      share_network_id: SEED_IDS.shareNetworks.prod }),
    share(st, 2, { name: 'legacy-db-wal', size: 20, consistency_group_id: C.legacyDb, created_at: ts(2),
      share_network_id: SEED_IDS.shareNetworks.prod }),
  ];
  share(st, 3, { name: 'legacy-logs-1', size: 10, consistency_group_id: C.legacyLogs, created_at: ts(6) });
  share(st, 4, { name: 'legacy-standalone', size: 10, created_at: ts(7) });
  const S = SEED_IDS.cgSnapshots;
  st.cgSnapshots.set(S.legacyDbSnap, snapshotOf(st, S.legacyDbSnap, C.legacyDb, 'legacy-db-snap', 'available', ts(60), db, 1));
}
