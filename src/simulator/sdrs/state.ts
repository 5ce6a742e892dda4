/**
 * In-memory state of the SDRS simulator: protection groups and their members, jobs, active-active domains, and the
 * job engine.
 *
 * Jobs move INIT -> RUNNING after `jobStepMs` and RUNNING -> SUCCESS|FAIL after another `jobStepMs`. Completion is
 * applied by an unref()ed timer and, so that HTTP observers never see a stale group, also lazily by `settle()`
 * at the start of every request. A job only reports SUCCESS/FAIL once its effect on the group has been applied.
 */
import {
  formatTimestamp,
  makeJobId,
  type GroupStatus,
  type JobStatus,
  type PriorityStation,
  type ProtectedStatus,
  type ReplicationStatus,
  type SdrsJobWire,
  type SdrsProtectionGroupWire,
  type TimestampFormat,
} from './wire.js';
import { SdrsMembers } from './members.js';

/** Active-active domain: the pair of AZs a protection group may replicate between. */
export interface SdrsDomain {
  id: string;
  name: string;
  availability_zones: readonly [string, string];
}

/**
 * One protection group. Wire field names, except timestamps kept as epoch ms; the three member counters are not
 * stored but counted from `SdrsState.members` when the group is rendered.
 */
export interface SdrsGroupRecord
  extends Omit<
    SdrsProtectionGroupWire,
    'dr_type' | 'server_type' | 'created_at' | 'updated_at' | 'protected_instance_num' | 'replication_num' | 'disaster_recovery_drill_num'
  > {
  /** The project the group was created in (not on the wire: SDRS scopes every URL by project instead). */
  projectId: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** false models a group created after a platform upgrade: the three status fields stay null (trap 20). */
  tracksStatusFields: boolean;
}

export type JobKind = 'create' | 'delete' | 'start' | 'reprotect' | 'stop' | 'failover' | 'reverse';

interface JobKindSpec {
  jobType: string;
  /** Only `stopProtectionGroupRepNoCG` is documented; the other sub-job names follow the same pattern. */
  subJobType: string | null;
  busy: GroupStatus;
  failed: GroupStatus;
}

export const JOB_KINDS: Record<JobKind, JobKindSpec> = {
  create: { jobType: 'createProtectionGroupNoCG', subJobType: null, busy: 'creating', failed: 'error' },
  delete: { jobType: 'deleteProtectionGroupNoCG', subJobType: null, busy: 'deleting', failed: 'error-deleting' },
  start: { jobType: 'startProtectionGroupNoCG', subJobType: 'startProtectionGroupRepNoCG', busy: 'starting', failed: 'error-starting' },
  reprotect: { jobType: 'reprotectProtectionGroupNoCG', subJobType: 'reprotectProtectionGroupRepNoCG', busy: 'reprotecting', failed: 'error-reprotecting' },
  stop: { jobType: 'stopProtectionGroupNoCG', subJobType: 'stopProtectionGroupRepNoCG', busy: 'stopping', failed: 'error-stopping' },
  failover: { jobType: 'failoverProtectionGroupNoCG', subJobType: 'failoverProtectionGroupRepNoCG', busy: 'failing-over', failed: 'error-failing-over' },
  reverse: { jobType: 'reverseProtectionGroupNoCG', subJobType: 'reverseProtectionGroupRepNoCG', busy: 'reversing', failed: 'error-reversing' },
};

export interface SdrsJobRecord {
  job_id: string;
  /** The project of the job's group; another project's job id is unknown. */
  projectId: string;
  job_type: string;
  kind: JobKind;
  server_group_id: string;
  beginMs: number;
  /** When the job is due to finish (begin + 2 * jobStepMs); end_time once finished. */
  dueMs: number;
  stepMs: number;
  finished: boolean;
  failure: { error_code: string; fail_reason: string } | null;
  subJobs: { job_id: string; job_type: string }[];
  /** reverse only: the site that becomes production. */
  targetStation?: PriorityStation;
  /** Status fields before the job, restored (with health abnormal) when it fails. */
  before: Pick<SdrsGroupRecord, 'protected_status' | 'replication_status' | 'health_status'>;
}

export interface SdrsStateConfig {
  projectId: string;
  jobStepMs: number;
  timestampFormat: TimestampFormat;
}

export class SdrsState {
  /** The default project: where the seed lands and what `endpoint` points at. */
  readonly projectId: string;
  readonly jobStepMs: number;
  readonly timestampFormat: TimestampFormat;
  readonly groups = new Map<string, SdrsGroupRecord>();
  readonly jobs = new Map<string, SdrsJobRecord>();
  readonly domains = new Map<string, SdrsDomain>();
  /** Protected instances, replication pairs and DR drills of every group. */
  readonly members = new SdrsMembers();
  private pendingFailure: { error_code: string; fail_reason: string } | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private jobCounter = 0;

  constructor(cfg: SdrsStateConfig) {
    this.projectId = cfg.projectId;
    this.jobStepMs = cfg.jobStepMs;
    this.timestampFormat = cfg.timestampFormat;
  }

  now(): number {
    return Date.now();
  }

  /** The next job started (of any type) ends FAIL with this code and reason; its group goes to `error-…`. */
  failNextJob(errorCode: string, failReason: string): void {
    this.pendingFailure = { error_code: errorCode, fail_reason: failReason };
  }

  newJobId(atMs: number = this.now()): string {
    this.jobCounter += 1;
    return makeJobId(atMs, this.jobCounter);
  }

  /** A project's group by id: SDRS scopes every call by the URL's project, so another project's id is unknown. */
  groupOf(projectId: string, id: string): SdrsGroupRecord | undefined {
    const g = this.groups.get(id);
    return g?.projectId === projectId ? g : undefined;
  }

  jobOf(projectId: string, id: string): SdrsJobRecord | undefined {
    const j = this.jobs.get(id);
    return j?.projectId === projectId ? j : undefined;
  }

  /** The AZ currently in production (what the list's `availability_zone` filter matches). */
  productionAz(g: SdrsGroupRecord): string {
    return g.priority_station === 'source' ? g.source_availability_zone : g.target_availability_zone;
  }

  /** Puts the group in its transitional status and starts the job; the caller has checked preconditions. */
  startJob(kind: JobKind, group: SdrsGroupRecord, targetStation?: PriorityStation): SdrsJobRecord {
    const spec = JOB_KINDS[kind];
    const beginMs = this.now();
    const subCount = spec.subJobType === null ? 0 : Math.min(2, Math.max(1, this.members.count('pairs', group.id)));
    const job: SdrsJobRecord = {
      job_id: this.newJobId(beginMs),
      projectId: group.projectId,
      job_type: spec.jobType,
      kind,
      server_group_id: group.id,
      beginMs,
      dueMs: beginMs + 2 * this.jobStepMs,
      stepMs: this.jobStepMs,
      finished: false,
      failure: this.pendingFailure,
      subJobs: Array.from({ length: subCount }, () => ({ job_id: this.newJobId(beginMs), job_type: spec.subJobType ?? '' })),
      before: {
        protected_status: group.protected_status,
        replication_status: group.replication_status,
        health_status: group.health_status,
      },
      ...(targetStation !== undefined ? { targetStation } : {}),
    };
    this.pendingFailure = null;
    this.jobs.set(job.job_id, job);
    group.status = spec.busy;
    group.updatedAtMs = beginMs;
    if ((kind === 'start' || kind === 'reprotect') && group.tracksStatusFields) {
      group.replication_status = 'copying';
      group.progress = 0;
    }
    this.members.follow(group, beginMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.finishJob(job);
    }, Math.max(0, job.dueMs - this.now()));
    timer.unref();
    this.timers.add(timer);
    return job;
  }

  /** Applies every job that is due, in due order. Called before each request is handled. */
  settle(): void {
    const now = this.now();
    const due = [...this.jobs.values()].filter((j) => !j.finished && j.dueMs <= now).sort((a, b) => a.dueMs - b.dueMs);
    for (const job of due) this.finishJob(job);
  }

  private finishJob(job: SdrsJobRecord): void {
    if (job.finished) return;
    job.finished = true;
    const group = this.groups.get(job.server_group_id);
    if (group === undefined) return;
    group.updatedAtMs = job.dueMs;
    if (job.failure !== null) {
      group.status = JOB_KINDS[job.kind].failed;
      if (group.tracksStatusFields) {
        group.protected_status = job.before.protected_status;
        group.replication_status = job.before.replication_status;
        group.health_status = 'abnormal';
      }
    } else {
      this.applySuccess(job, group);
    }
    if (this.groups.has(group.id)) this.members.follow(group, job.dueMs);
  }

  private applySuccess(job: SdrsJobRecord, g: SdrsGroupRecord): void {
    const set = (status: GroupStatus, p: ProtectedStatus, r: ReplicationStatus): void => {
      g.status = status;
      if (g.tracksStatusFields) {
        g.protected_status = p;
        g.replication_status = r;
        g.health_status = 'normal';
      }
    };
    switch (job.kind) {
      case 'create':
        set('available', 'stopped', 'inactive');
        break;
      case 'delete':
        this.groups.delete(g.id);
        break;
      case 'start':
      case 'reprotect':
        // Re-protect keeps the current production site (the DR site after a failover) and replicates back.
        set('protected', 'started', 'active');
        g.progress = 100;
        break;
      case 'stop':
        set('available', 'stopped', 'active-stopped');
        break;
      case 'failover':
        // Failover moves production to the other site, whichever is current.
        set('failed-over', 'stopped', 'inactive');
        g.priority_station = g.priority_station === 'source' ? 'target' : 'source';
        g.progress = 0;
        break;
      case 'reverse':
        set('protected', 'started', 'active');
        g.priority_station = job.targetStation ?? g.priority_station;
        g.progress = 100;
        break;
    }
  }

  renderGroup(g: SdrsGroupRecord): SdrsProtectionGroupWire {
    return {
      id: g.id,
      name: g.name,
      description: g.description,
      source_availability_zone: g.source_availability_zone,
      target_availability_zone: g.target_availability_zone,
      domain_id: g.domain_id,
      domain_name: g.domain_name,
      status: g.status,
      protected_status: g.protected_status,
      replication_status: g.replication_status,
      health_status: g.health_status,
      progress: g.progress,
      priority_station: g.priority_station,
      protected_instance_num: this.members.count('instances', g.id),
      replication_num: this.members.count('pairs', g.id),
      disaster_recovery_drill_num: this.members.count('drills', g.id),
      source_vpc_id: g.source_vpc_id,
      target_vpc_id: g.target_vpc_id,
      test_vpc_id: g.test_vpc_id,
      dr_type: 'migration',
      server_type: 'ECS',
      created_at: this.ts(g.createdAtMs),
      updated_at: this.ts(g.updatedAtMs),
      protection_type: g.protection_type,
      replication_model: g.replication_model,
    };
  }

  /** INIT before beginMs + stepMs, RUNNING until finished; end_time stays null until SUCCESS/FAIL. */
  renderJob(job: SdrsJobRecord): SdrsJobWire {
    const status: JobStatus = job.finished
      ? job.failure === null ? 'SUCCESS' : 'FAIL'
      : this.now() < job.beginMs + job.stepMs ? 'INIT' : 'RUNNING';
    const endTime = job.finished ? this.ts(job.dueMs) : null;
    const subJobs = job.subJobs.map((sub, i): SdrsJobWire => {
      const last = i === job.subJobs.length - 1;
      const failed = status === 'FAIL' && last;
      const subStatus: JobStatus = status === 'FAIL' ? (failed ? 'FAIL' : 'SUCCESS') : status;
      const subBegin = job.beginMs + job.stepMs + i;
      return {
        status: subStatus,
        job_id: sub.job_id,
        job_type: sub.job_type,
        begin_time: status === 'INIT' ? null : this.ts(subBegin),
        end_time: job.finished ? this.ts(Math.max(subBegin, job.dueMs - (job.subJobs.length - i))) : null,
        error_code: failed ? (job.failure?.error_code ?? null) : null,
        fail_reason: failed ? (job.failure?.fail_reason ?? null) : null,
        entities: { server_group_id: job.server_group_id },
      };
    });
    return {
      status,
      job_id: job.job_id,
      job_type: job.job_type,
      begin_time: this.ts(job.beginMs),
      end_time: endTime,
      error_code: status === 'FAIL' ? (job.failure?.error_code ?? null) : null,
      fail_reason: status === 'FAIL' ? (job.failure?.fail_reason ?? null) : null,
      entities: { server_group_id: job.server_group_id, ...(subJobs.length > 0 ? { sub_jobs: subJobs } : {}) },
    };
  }

  ts(ms: number): string {
    return formatTimestamp(ms, this.timestampFormat);
  }

  /** Cancels pending completion timers (jobs still complete lazily on the next request). */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
