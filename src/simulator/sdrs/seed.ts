/**
 * Deterministic example data for the SDRS simulator: one active-active domain, seven protection groups in
 * stable statuses with their protected instances, replication pairs and DR drills (seed-members.ts), three
 * finished historical jobs, and optionally N generated groups with members.
 */
import type { SdrsDomain, SdrsGroupRecord, SdrsJobRecord, SdrsState } from './state.js';
import type { GroupStatus } from './wire.js';
import { addMembers, generatedMembersOf, seedMembersOf, stableUuid } from './seed-members.js';

export { SDRS_SEED_DRILLS, SDRS_SEED_INSTANCES, SDRS_SEED_PAIRS } from './seed-members.js';

/** Always present (seed or not): groups can only be created inside a known domain. */
export const SDRS_SIM_DOMAIN: SdrsDomain = {
  id: 'b3f1c6a2-58d4-4e0f-9c27-7a1e4d6f0c93',
  name: 'ActiveactiveDomain',
  availability_zones: ['cn-north-4a', 'cn-north-4b'],
};

export const SDRS_SEED_GROUPS = {
  /** protected, production at source, 4 instances / 6 pairs / 2 drills. */
  erpProd: 'a3c1e7d2-5b4f-4e8a-9d61-2f7b0c8e4a15',
  /** protected after a planned failover: production at target (cn-north-4b). No drills. */
  billingDb: 'b7e2f0a4-1c3d-4f5e-8a9b-3c4d5e6f7a81',
  /** available with 3 pairs: can be enabled. Delete refused (SDRS.1001). */
  crmWeb: 'c4d8a1f6-2e7b-4c90-b5d3-6e1f2a3b4c52',
  /** failed-over (source cn-north-4b, now running in cn-north-4a): can be re-protected. */
  hrPortal: 'd9f3b2c7-4a1e-4d6b-8c2f-5a7e9b0d1e63',
  /** error-starting after the seeded FAIL job; enabling again is allowed. */
  analyticsEtl: 'e1a5c9d3-6f2b-4e7a-9b8c-0d1e2f3a4b74',
  /** available, empty, deletable; protected/replication/health status null (created after an upgrade). */
  sandboxEmpty: 'f2b6d0e4-7a3c-4f8b-a9c1-1e2f3a4b5c85',
  /** available, no instances or pairs but one DR drill: delete refused (SDRS.1003). */
  legacyArchive: '0a7c1e5f-8b4d-4a9c-b0d2-2f3a4b5c6d96',
} as const;

export const SDRS_SEED_JOBS = {
  /** SUCCESS failoverProtectionGroupNoCG of hr-portal-dr, two sub-jobs. */
  hrPortalFailover: 'ff8080828f3a61c00195a1b2c3d40001',
  /** FAIL startProtectionGroupNoCG of analytics-etl-dr (SDRS.1027). */
  analyticsStartFailed: 'ff8080828f3a61c00195a1b2c3d40002',
  /** SUCCESS createProtectionGroupNoCG of sandbox-empty-pg, no sub-jobs. */
  sandboxCreate: 'ff8080828f3a61c00195a1b2c3d40003',
} as const;

const VPC_ERP = '7d2e9f41-3a6b-4c8d-9e0f-1a2b3c4d5e6f';
const VPC_FIN = '8e3f0a52-4b7c-4d9e-8f1a-2b3c4d5e6f70';
const VPC_CORP = '9f4a1b63-5c8d-4eaf-9a2b-3c4d5e6f7081';
const VPC_LAB = '1a5b2c74-6d9e-4fb0-8b3c-4d5e6f708192';

const t = (iso: string): number => Date.parse(iso);

/** Seed rows before loadSeed puts them in the default project. */
type SeedGroup = Omit<SdrsGroupRecord, 'projectId'>;
type SeedJob = Omit<SdrsJobRecord, 'projectId'>;

function group(
  p: Partial<SeedGroup> & Pick<SeedGroup, 'id' | 'name' | 'status' | 'source_vpc_id' | 'createdAtMs'>,
): SeedGroup {
  return {
    description: null,
    source_availability_zone: 'cn-north-4a',
    target_availability_zone: 'cn-north-4b',
    domain_id: SDRS_SIM_DOMAIN.id,
    domain_name: SDRS_SIM_DOMAIN.name,
    protected_status: 'stopped',
    replication_status: 'inactive',
    health_status: 'normal',
    progress: 0,
    priority_station: 'source',
    target_vpc_id: p.source_vpc_id, // migration within one VPC: both sites share it
    test_vpc_id: null,
    protection_type: 'replication-pair',
    replication_model: null,
    updatedAtMs: p.createdAtMs,
    tracksStatusFields: true,
    ...p,
  };
}

function seedGroups(): SeedGroup[] {
  const G = SDRS_SEED_GROUPS;
  return [
    group({
      id: G.erpProd, name: 'erp-prod-dr', description: 'ERP production: SAP application and database tier',
      status: 'protected', protected_status: 'started', replication_status: 'active', progress: 100,
      source_vpc_id: VPC_ERP,
      createdAtMs: t('2024-11-04T08:12:31.402Z'), updatedAtMs: t('2025-04-18T02:40:09.117Z'),
    }),
    group({
      id: G.billingDb, name: 'billing-db-dr', description: 'Billing PostgreSQL primary and replica',
      status: 'protected', protected_status: 'started', replication_status: 'active', progress: 100,
      priority_station: 'target', source_vpc_id: VPC_FIN,
      createdAtMs: t('2024-12-09T10:03:44.950Z'), updatedAtMs: t('2025-05-02T21:15:37.006Z'),
    }),
    group({
      id: G.crmWeb, name: 'crm-web-dr', description: 'CRM web front ends',
      status: 'available', source_vpc_id: VPC_CORP,
      createdAtMs: t('2025-01-15T14:27:05.318Z'), updatedAtMs: t('2025-03-21T09:58:12.774Z'),
    }),
    group({
      id: G.hrPortal, name: 'hr-portal-dr', description: 'HR self-service portal',
      status: 'failed-over', priority_station: 'target',
      source_availability_zone: 'cn-north-4b', target_availability_zone: 'cn-north-4a',
      source_vpc_id: VPC_CORP,
      createdAtMs: t('2025-02-03T07:45:19.861Z'), updatedAtMs: t('2025-05-20T03:51:58.256Z'),
    }),
    group({
      id: G.analyticsEtl, name: 'analytics-etl-dr', description: 'Nightly ETL workers',
      status: 'error-starting', health_status: 'abnormal', source_vpc_id: VPC_ERP,
      createdAtMs: t('2025-03-11T16:20:48.533Z'), updatedAtMs: t('2025-05-27T11:04:26.690Z'),
    }),
    group({
      id: G.sandboxEmpty, name: 'sandbox-empty-pg', status: 'available', source_vpc_id: VPC_LAB,
      protected_status: null, replication_status: null, health_status: null, tracksStatusFields: false,
      createdAtMs: t('2025-06-02T09:30:00.125Z'),
    }),
    group({
      id: G.legacyArchive, name: 'legacy-archive-dr', description: 'Decommissioned archive servers',
      status: 'available', replication_status: 'active-stopped', source_vpc_id: VPC_LAB,
      createdAtMs: t('2024-08-19T12:00:07.041Z'), updatedAtMs: t('2025-01-30T17:22:43.380Z'),
    }),
  ];
}

function historicalJob(
  p: Pick<SdrsJobRecord, 'job_id' | 'job_type' | 'kind' | 'server_group_id' | 'failure' | 'subJobs'>,
  beginIso: string,
  endIso: string,
): SeedJob {
  const beginMs = t(beginIso);
  const dueMs = t(endIso);
  return {
    ...p,
    beginMs,
    dueMs,
    stepMs: Math.floor((dueMs - beginMs) / 2),
    finished: true,
    before: { protected_status: null, replication_status: null, health_status: null },
  };
}

function seedJobs(): SeedJob[] {
  const J = SDRS_SEED_JOBS;
  const G = SDRS_SEED_GROUPS;
  return [
    historicalJob({
      job_id: J.hrPortalFailover, job_type: 'failoverProtectionGroupNoCG', kind: 'failover',
      server_group_id: G.hrPortal, failure: null,
      subJobs: [
        { job_id: 'ff8080828f3a61c00195a1b2c3d40011', job_type: 'failoverProtectionGroupRepNoCG' },
        { job_id: 'ff8080828f3a61c00195a1b2c3d40012', job_type: 'failoverProtectionGroupRepNoCG' },
      ],
    }, '2025-05-20T03:50:41.930Z', '2025-05-20T03:51:58.256Z'),
    historicalJob({
      job_id: J.analyticsStartFailed, job_type: 'startProtectionGroupNoCG', kind: 'start',
      server_group_id: G.analyticsEtl,
      failure: {
        error_code: 'SDRS.1027',
        fail_reason: 'Failed to enable protection: replication pair analytics-etl-data-02 could not start synchronization.',
      },
      subJobs: [{ job_id: 'ff8080828f3a61c00195a1b2c3d40021', job_type: 'startProtectionGroupRepNoCG' }],
    }, '2025-05-27T11:02:10.004Z', '2025-05-27T11:04:26.690Z'),
    historicalJob({
      job_id: J.sandboxCreate, job_type: 'createProtectionGroupNoCG', kind: 'create',
      server_group_id: G.sandboxEmpty, failure: null, subJobs: [],
    }, '2025-06-02T09:30:00.125Z', '2025-06-02T09:30:14.871Z'),
  ];
}

const GENERATED_STATUSES: readonly GroupStatus[] = ['available', 'protected', 'protected', 'failed-over'];

function generatedGroup(i: number): SeedGroup {
  const status = GENERATED_STATUSES[i % GENERATED_STATUSES.length] ?? 'available';
  const createdAtMs = t('2024-06-01T00:00:00.000Z') - i * 3_600_000;
  return group({
    id: stableUuid(`sdrs-generated-${i}`),
    name: `svc-${String(i + 1).padStart(4, '0')}-dr`,
    description: `Generated protection group ${i + 1}`,
    status,
    protected_status: status === 'protected' ? 'started' : 'stopped',
    replication_status: status === 'protected' ? 'active' : 'inactive',
    progress: status === 'protected' ? 100 : 0,
    priority_station: status === 'failed-over' ? 'target' : 'source',
    source_vpc_id: i % 2 === 0 ? VPC_ERP : VPC_CORP,
    createdAtMs,
  });
}

export function loadSeed(state: SdrsState, opts: { seed: boolean; extraGroups: number }): void {
  state.domains.set(SDRS_SIM_DOMAIN.id, SDRS_SIM_DOMAIN);
  const projectId = state.projectId;
  if (opts.seed) {
    for (const seedGroup of seedGroups()) {
      const g = { ...seedGroup, projectId };
      state.groups.set(g.id, g);
      addMembers(state.members, seedMembersOf(g));
    }
    for (const j of seedJobs()) state.jobs.set(j.job_id, { ...j, projectId });
  }
  for (let i = 0; i < opts.extraGroups; i++) {
    const g = { ...generatedGroup(i), projectId };
    state.groups.set(g.id, g);
    addMembers(state.members, generatedMembersOf(g, i));
  }
}
