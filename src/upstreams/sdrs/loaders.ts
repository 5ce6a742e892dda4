import DataLoader from 'dataloader';
import type { Caller } from '../caller.js';
import { byIdLoader, nullIfNotFound, settle } from '../loaders.js';
import type { SdrsClient } from './client.js';
import { followJob } from './jobs.js';
import type { SdrsJob, SdrsProtectionGroup } from './types.js';

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
    /** Reads the job until it ends or `waitMs` passes; the loader then holds that final reading. */
    async waitForJob(jobId: string, waitMs: number): Promise<SdrsJob | null> {
      const job = await nullIfNotFound(followJob(() => client.showJob(caller, jobId), waitMs));
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
