import type { RequestContext } from '../../../context.js';
import type { SdrsJob, SdrsProtectionGroup } from '../../../upstreams/sdrs/types.js';

/**
 * What an SDRS write mutation hands to its payload. The write itself has succeeded once this exists; the job
 * and group reads after it are separate promises, so a failed read is an error on that field only and the
 * client still learns `jobId` (it must not be tempted to send the action again).
 */
export interface JobPayloadShape {
  /** The group being deleted (deleteProtectionGroup only). */
  id?: string;
  jobId: string;
  job: Promise<SdrsJob | null>;
  protectionGroup: Promise<SdrsProtectionGroup | null>;
}

const ignore = () => undefined;

/**
 * After SDRS accepted a write: read the job once (or follow it for `waitMs`), then read the group, so it is seen
 * as the job left it. The group is forgotten right away, before anything in this request can read it again, so
 * the payload's group and `job.protectionGroup` share one fresh read. `groupId` null: take it from the job's
 * entities (create).
 */
export function jobPayload(ctx: RequestContext, jobId: string, groupId: string | null, waitMs: number | null): JobPayloadShape {
  const { loaders } = ctx.sdrs();
  if (groupId) loaders.forgetGroup(groupId);
  const job = waitMs === null ? loaders.jobById.load(jobId) : loaders.waitForJob(jobId, waitMs);
  const reread = (j: SdrsJob | null) => {
    const id = groupId ?? j?.entities?.server_group_id ?? null;
    return id ? loaders.groupById.load(id) : null;
  };
  const protectionGroup = job.then(reread, () => reread(null));
  // A client that does not select a field must not leave an unhandled rejection behind.
  job.catch(ignore);
  protectionGroup.catch(ignore);
  return { jobId, job, protectionGroup };
}

/** Resolvers shared by every job payload type. */
export const jobPayloadFields = {
  job: (p: JobPayloadShape) => p.job,
  protectionGroup: (p: JobPayloadShape) => p.protectionGroup,
};
