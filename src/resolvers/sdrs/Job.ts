import type { JobEntitiesResolvers, JobResolvers } from '../../generated/graphql.js';
import { isJobFinished } from '../../upstreams/sdrs/jobs.js';
import { jobStatus } from './statuses.js';

export const Job: JobResolvers = {
  id: (j) => j.job_id,
  jobType: (j) => j.job_type ?? null,
  status: (j) => jobStatus(j.status),
  rawStatus: (j) => j.status,
  finished: (j) => isJobFinished(j),
  beginTime: (j) => j.begin_time ?? null,
  endTime: (j) => j.end_time ?? null,
  errorCode: (j) => j.error_code ?? null,
  failReason: (j) => j.fail_reason ?? null,
  entities: (j) => j.entities ?? {},
  // Sub-jobs name the same group as their parent: the per-request loader makes that one read.
  protectionGroup: (j, _, ctx) => {
    const id = j.entities?.server_group_id;
    return id ? ctx.sdrs().loaders.groupById.load(id) : null;
  },
  // SDRS embeds sub-jobs in the job: no upstream call.
  subJobs: (j) => j.entities?.sub_jobs ?? [],
};

export const JobEntities: JobEntitiesResolvers = {
  protectionGroupId: (e) => e.server_group_id ?? null,
  replicationPairId: (e) => e.replication_pair_id ?? null,
  replicationPair: (e, _, ctx) => (e.replication_pair_id ? ctx.sdrs().loaders.pairOf(e.server_group_id, e.replication_pair_id) : null),
  // One string on the wire (SDK `volume_ids: str`).
  volumeIds: (e) =>
    e.volume_ids
      ? e.volume_ids.split(',').map((v) => v.trim()).filter((v) => v.length > 0)
      : null,
  protectedInstanceId: (e) => e.protected_instance_id ?? null,
  protectedInstance: (e, _, ctx) =>
    e.protected_instance_id ? ctx.sdrs().loaders.instanceOf(e.server_group_id, e.protected_instance_id) : null,
  nativeServerId: (e) => e.native_server_id ?? null,
  nicId: (e) => e.nic_id ?? null,
};
