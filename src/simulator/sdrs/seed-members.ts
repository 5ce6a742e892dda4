/**
 * Example members of the seeded protection groups (protected instances, replication pairs, DR drills) and of the
 * generated ones. Ids are derived from labels, so they stay the same between runs. Members take their group's
 * status, progress and replication status, as SDRS keeps them in step.
 */
import { createHash } from 'node:crypto';
import type { SdrsDrillRecord, SdrsInstanceRecord, SdrsMembers, SdrsPairRecord } from './members.js';
import type { SdrsGroupRecord } from './state.js';
import type { InstanceStatus, PairStatus, ReplicationStatus } from './wire.js';

/** UUID-shaped id derived from a label. */
export function stableUuid(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const id = (label: string) => stableUuid(`sdrs-seed-${label}`);

/** Protected instances of the seeded groups, by name. */
export const SDRS_SEED_INSTANCES = {
  erpApp01: id('erp-app-01'),
  erpApp02: id('erp-app-02'),
  erpDb01: id('erp-db-01'),
  erpDb02: id('erp-db-02'),
  billingPrimary: id('billing-pg-primary'),
  billingReplica: id('billing-pg-replica'),
  crmWeb01: id('crm-web-01'),
  crmWeb02: id('crm-web-02'),
  crmWeb03: id('crm-web-03'),
  hrWeb: id('hr-portal-web'),
  hrDb: id('hr-portal-db'),
  etlWorker: id('analytics-etl-worker-01'),
} as const;

/** Replication pairs of the seeded groups, by name. */
export const SDRS_SEED_PAIRS = {
  erpApp01Sys: id('erp-app-01-sys'),
  erpApp01Data: id('erp-app-01-data'),
  erpApp02Sys: id('erp-app-02-sys'),
  erpApp02Data: id('erp-app-02-data'),
  erpDb01Sys: id('erp-db-01-sys'),
  erpDb02Sys: id('erp-db-02-sys'),
  billingPrimarySys: id('billing-pg-primary-sys'),
  billingPrimaryWal: id('billing-pg-primary-wal'),
  billingReplicaSys: id('billing-pg-replica-sys'),
  crmWeb01Sys: id('crm-web-01-sys'),
  crmWeb02Sys: id('crm-web-02-sys'),
  crmWeb03Sys: id('crm-web-03-sys'),
  hrWebSys: id('hr-portal-web-sys'),
  hrDbSys: id('hr-portal-db-sys'),
  etlData01: id('analytics-etl-data-01'),
  etlData02: id('analytics-etl-data-02'),
} as const;

/** DR drills of the seeded groups, by name. */
export const SDRS_SEED_DRILLS = {
  erpQ1: id('erp-drill-2025q1'),
  erpQ2: id('erp-drill-2025q2'),
  crm: id('crm-drill-2025-03'),
  hr: id('hr-drill-2025-04'),
  legacy: id('legacy-drill-2024'),
} as const;

const DRILL_VPC = '2b6c3d85-7eaf-4ac1-9d4e-5f6a7b8c9d0e';
type I = keyof typeof SDRS_SEED_INSTANCES;
type P = keyof typeof SDRS_SEED_PAIRS;
type D = keyof typeof SDRS_SEED_DRILLS;

interface MemberSpec {
  /** Each instance with its pairs: [pair, name, device, size in GB, system disk]. */
  instances: [I, string, [P, string, string, number, boolean][]][];
  drills: [D, string, I[]][];
}

/** Seeded group id (SDRS_SEED_GROUPS; seed.ts imports this file) -> its members, as the seed's descriptions count them. */
export const SEED_MEMBERS: Record<string, MemberSpec> = {
  'a3c1e7d2-5b4f-4e8a-9d61-2f7b0c8e4a15': {
    instances: [
      ['erpApp01', 'erp-app-01', [['erpApp01Sys', 'erp-app-01-sys', '/dev/vda', 40, true], ['erpApp01Data', 'erp-app-01-data', '/dev/vdb', 200, false]]],
      ['erpApp02', 'erp-app-02', [['erpApp02Sys', 'erp-app-02-sys', '/dev/vda', 40, true], ['erpApp02Data', 'erp-app-02-data', '/dev/vdb', 200, false]]],
      ['erpDb01', 'erp-db-01', [['erpDb01Sys', 'erp-db-01-sys', '/dev/vda', 100, true]]],
      ['erpDb02', 'erp-db-02', [['erpDb02Sys', 'erp-db-02-sys', '/dev/vda', 100, true]]],
    ],
    drills: [['erpQ1', 'erp-drill-2025q1', ['erpApp01', 'erpDb01']], ['erpQ2', 'erp-drill-2025q2', ['erpApp01', 'erpApp02', 'erpDb01', 'erpDb02']]],
  },
  'b7e2f0a4-1c3d-4f5e-8a9b-3c4d5e6f7a81': {
    instances: [
      ['billingPrimary', 'billing-pg-primary', [['billingPrimarySys', 'billing-pg-primary-sys', '/dev/vda', 50, true], ['billingPrimaryWal', 'billing-pg-primary-wal', '/dev/vdb', 500, false]]],
      ['billingReplica', 'billing-pg-replica', [['billingReplicaSys', 'billing-pg-replica-sys', '/dev/vda', 50, true]]],
    ],
    drills: [],
  },
  'c4d8a1f6-2e7b-4c90-b5d3-6e1f2a3b4c52': {
    instances: [
      ['crmWeb01', 'crm-web-01', [['crmWeb01Sys', 'crm-web-01-sys', '/dev/vda', 40, true]]],
      ['crmWeb02', 'crm-web-02', [['crmWeb02Sys', 'crm-web-02-sys', '/dev/vda', 40, true]]],
      ['crmWeb03', 'crm-web-03', [['crmWeb03Sys', 'crm-web-03-sys', '/dev/vda', 40, true]]],
    ],
    drills: [['crm', 'crm-drill-2025-03', ['crmWeb01', 'crmWeb02', 'crmWeb03']]],
  },
  'd9f3b2c7-4a1e-4d6b-8c2f-5a7e9b0d1e63': {
    instances: [
      ['hrWeb', 'hr-portal-web', [['hrWebSys', 'hr-portal-web-sys', '/dev/vda', 40, true]]],
      ['hrDb', 'hr-portal-db', [['hrDbSys', 'hr-portal-db-sys', '/dev/vda', 80, true]]],
    ],
    drills: [['hr', 'hr-drill-2025-04', ['hrWeb', 'hrDb']]],
  },
  'e1a5c9d3-6f2b-4e7a-9b8c-0d1e2f3a4b74': {
    instances: [
      ['etlWorker', 'analytics-etl-worker-01', [['etlData01', 'analytics-etl-data-01', '/dev/vda', 40, true], ['etlData02', 'analytics-etl-data-02', '/dev/vdb', 1000, false]]],
    ],
    drills: [],
  },
  // legacy-archive-dr: no instances or pairs left, one drill without servers (delete refused, SDRS.1003).
  '0a7c1e5f-8b4d-4a9c-b0d2-2f3a4b5c6d96': { instances: [], drills: [['legacy', 'legacy-drill-2024', []]] },
};

/** What a member shows for its group's status (both appendices share the protection statuses). */
function memberStatus(g: SdrsGroupRecord): InstanceStatus & PairStatus {
  const shared: readonly string[] = [
    'available', 'starting', 'error-starting', 'protected', 'reversing', 'failing-over', 'failed-over', 'reprotecting',
    'stopping', 'error-stopping', 'error-reversing', 'error-failing-over', 'error-reprotecting',
  ];
  return (shared.includes(g.status) ? g.status : 'available') as InstanceStatus & PairStatus;
}

function replicationOf(g: SdrsGroupRecord): ReplicationStatus {
  return g.replication_status ?? (g.status === 'protected' ? 'active' : 'inactive');
}

interface Built {
  instances: SdrsInstanceRecord[];
  pairs: SdrsPairRecord[];
  drills: SdrsDrillRecord[];
}

/** Members of `g` from a spec: instances a minute after the group, their pairs right after, drills later. */
export function buildMembers(g: SdrsGroupRecord, spec: MemberSpec, ids: { instance: (k: I) => string; pair: (k: P) => string; drill: (k: D) => string }): Built {
  const out: Built = { instances: [], pairs: [], drills: [] };
  const status = memberStatus(g);
  const base = g.createdAtMs;
  spec.instances.forEach(([ik, name, pairs], n) => {
    const instanceId = ids.instance(ik);
    const at = base + (n + 1) * 60_000;
    out.instances.push({
      id: instanceId, projectId: g.projectId, name, description: null, server_group_id: g.id, status, progress: g.progress,
      source_server: stableUuid(`${instanceId}-source`), target_server: stableUuid(`${instanceId}-target`),
      tags: [{ key: 'app', value: name.split('-')[0]! }], frozen: false, createdAtMs: at, updatedAtMs: Math.max(at, g.updatedAtMs),
    });
    pairs.forEach(([pk, pairName, device, size, bootable], k) => {
      const pairId = ids.pair(pk);
      const pat = at + (k + 1) * 1_000;
      out.pairs.push({
        id: pairId, projectId: g.projectId, name: pairName, description: null, server_group_id: g.id,
        status, progress: g.progress, replication_status: replicationOf(g),
        volumeIds: [stableUuid(`${pairId}-production`), stableUuid(`${pairId}-dr`)],
        attachedTo: { protectedInstanceId: instanceId, device }, fault_level: '0', volumeSize: size,
        volumeType: bootable ? 'SAS' : 'SSD', bootable, multiattach: false, failureDetail: null,
        createdAtMs: pat, updatedAtMs: Math.max(pat, g.updatedAtMs),
      });
    });
  });
  spec.drills.forEach(([dk, name, servers], n) => {
    const at = base + (n + 10) * 86_400_000;
    const drillId = ids.drill(dk);
    out.drills.push({
      id: drillId, projectId: g.projectId, name, status: 'available', server_group_id: g.id, drill_vpc_id: DRILL_VPC,
      drill_servers: servers.map((ik) => ({ protected_instance: ids.instance(ik), drill_server_id: stableUuid(`${drillId}-${ik}`) })),
      createdAtMs: at, updatedAtMs: at,
    });
  });
  return out;
}

export function addMembers(members: SdrsMembers, built: Built): void {
  built.instances.forEach((i) => members.instances.add(i));
  built.pairs.forEach((p) => members.pairs.add(p));
  built.drills.forEach((d) => members.drills.add(d));
}

/** The seeded members of one seeded group (none for a group the table does not name). */
export function seedMembersOf(g: SdrsGroupRecord): Built {
  const spec = SEED_MEMBERS[g.id] ?? { instances: [], drills: [] };
  return buildMembers(g, spec, {
    instance: (k) => SDRS_SEED_INSTANCES[k],
    pair: (k) => SDRS_SEED_PAIRS[k],
    drill: (k) => SDRS_SEED_DRILLS[k],
  });
}

/** Generated group i: 1-5 pairs, one instance per two pairs, i % 3 drills over all its instances. */
export function generatedMembersOf(g: SdrsGroupRecord, i: number): Built {
  const pairs = 1 + (i % 5);
  const instances = Math.ceil(pairs / 2);
  const label = (s: string) => stableUuid(`sdrs-generated-${i}-${s}`);
  const spec: MemberSpec = {
    instances: Array.from({ length: instances }, (_, n) => [
      `i${n}` as I,
      `${g.name.replace(/-dr$/, '')}-vm-${n + 1}`,
      Array.from({ length: Math.min(2, pairs - 2 * n) }, (_, k) => {
        const device = k === 0 ? '/dev/vda' : '/dev/vdb';
        return [`p${n}-${k}` as P, `${g.name.replace(/-dr$/, '')}-vm-${n + 1}-${device.slice(-3)}`, device, 40, k === 0];
      }),
    ]),
    drills: Array.from({ length: i % 3 }, (_, n) => [`d${n}` as D, `${g.name}-drill-${n + 1}`, Array.from({ length: instances }, (_, k) => `i${k}` as I)]),
  };
  return buildMembers(g, spec, { instance: label, pair: label, drill: label });
}
