import type { RequestContext } from '../../../context.js';
import { objectWritten } from '../../../live/afterWrite.js';
import { madeButUnread } from '../../../live/writeOutcome.js';
import type { SdrsJob, SdrsProtectionGroup } from '../../../upstreams/sdrs/types.js';

/**
 * What an SDRS write mutation hands to its payload. The write itself has succeeded once this exists; the job
 * and group reads after it are separate, so a failed read is an error on that field only and the client still
 * learns `jobId` (it must not be tempted to send the action again). Both are read only when their field is
 * resolved: an answer of `jobId` alone reads nothing, and nothing reads on after the answer is out.
 */
export interface JobPayloadShape {
  /** The group being deleted (deleteProtectionGroup only). */
  id?: string;
  jobId: string;
  /** The job read once (or followed for `waitSeconds`): started by the first field that needs it, then shared. */
  job: () => Promise<SdrsJob | null>;
  /** The group as the job left it, read after `job`. */
  protectionGroup: () => Promise<SdrsProtectionGroup | null>;
}

/** `make` run on the first call only; later calls share its promise. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => (started ??= make());
}

/**
 * After SDRS accepted a write: read the job once (or follow it for `waitMs`), then read the group, so it is seen
 * as the job left it. The group is forgotten right away, before anything in this request can read it again, so
 * the payload's group and `job.protectionGroup` share one fresh read. `groupId` null: take it from the job's
 * entities (create). The write told the group's subscriptions (`writing`, afterWrite.ts); they are told again once
 * the job has been read.
 */
export function jobPayload(ctx: RequestContext, jobId: string, groupId: string | null, waitMs: number | null): JobPayloadShape {
  const { loaders } = ctx.sdrs();
  if (groupId) loaders.forgetGroup(groupId);
  const job = once(() => {
    const read = waitMs === null ? loaders.jobById.load(jobId) : loaders.waitForJob(jobId, waitMs);
    // Followed for `waitSeconds`, the job may have left the group in its final state: tell its watchers again.
    void read.then((j) => objectWritten('protectionGroup', groupId ?? j?.entities?.server_group_id), () => undefined);
    return read;
  });
  const protectionGroup = once(async () => {
    // The job's failure is `job`'s error; the group is still read (by the id given, when there is one).
    const j = await job().catch(() => null);
    // A sibling's error can end the answer while the job is followed: then nothing is read after it.
    if (ctx.caller.trace?.answered) return null;
    const id = groupId ?? j?.entities?.server_group_id ?? null;
    return id ? loaders.groupById.load(id) : null;
  });
  return { jobId, job, protectionGroup };
}

/** Resolvers shared by every job payload type. */
export const jobPayloadFields = {
  // Said as Cinder's and Manila's re-reads say it: the action was made, only its reading failed (write probe of 2026-12-08).
  job: (p: JobPayloadShape) => p.job().catch((err: unknown) => Promise.reject(madeButUnread(err))),
  protectionGroup: (p: JobPayloadShape) => p.protectionGroup().catch((err: unknown) => Promise.reject(madeButUnread(err))),
};
