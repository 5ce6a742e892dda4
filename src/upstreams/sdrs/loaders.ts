import DataLoader from 'dataloader';
import type { Caller } from '../caller.js';
import { byIdLoader, nullIfNotFound, settle } from '../loaders.js';
import type { SdrsClient } from './client.js';
import { followJob } from './jobs.js';
import type { SdrsJob, SdrsProtectionGroup } from './types.js';

// Kept free at the end of a job wait: the group re-read and the response still have to fit in the deadline.
const ANSWER_RESERVE_MS = 1_000;

/** Per-request loaders for one caller: every protection group and job is read at most once per GraphQL request. */
export function createSdrsLoaders(client: SdrsClient, caller: Caller) {
  // SDRS has no get-many endpoint; a by-id show per group, missing (SDRS.1013) ones resolve to null.
  const groupById = byIdLoader<SdrsProtectionGroup>((id) => client.showGroup(caller, id));
  const jobById = new DataLoader<string, SdrsJob | null>((ids) =>
    settle(ids.map((id) => nullIfNotFound(client.showJob(caller, id)))),
  );

  return {
    groupById,
    jobById,
    /**
     * Reads the job until it ends or `waitMs` passes; the loader then holds that final reading. The wait also
     * ends early enough to answer inside the request deadline (REQUEST_DEADLINE_MS), with the job as it stands.
     */
    async waitForJob(jobId: string, waitMs: number): Promise<SdrsJob | null> {
      const budget = caller.deadline === undefined ? waitMs : Math.min(waitMs, caller.deadline - Date.now() - ANSWER_RESERVE_MS);
      const job = await nullIfNotFound(followJob(() => client.showJob(caller, jobId), Math.max(0, budget)));
      jobById.clear(jobId);
      if (job) jobById.prime(jobId, job);
      return job;
    },
    /** After a write: forget what this request knew about the group. */
    forgetGroup(id: string) {
      groupById.clear(id);
    },
  };
}

export type SdrsLoaders = ReturnType<typeof createSdrsLoaders>;
