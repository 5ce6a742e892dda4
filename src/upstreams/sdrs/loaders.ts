import DataLoader from 'dataloader';
import { FacadeError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { childrenByParent } from '../children.js';
import { CollectionSizes, byIdLoader, nullIfNotFound, partition, settle } from '../loaders.js';
import type { SdrsClient, SdrsMemberKind } from './client.js';
import { followJob } from './jobs.js';
import { readOffsetPages } from './paging.js';
import type { SdrsDrill, SdrsJob, SdrsMemberFilters, SdrsProtectedInstance, SdrsProtectionGroup, SdrsReplicationPair } from './types.js';

// Kept free at the end of a job wait: the group re-read and the response still have to fit in the deadline.
const ANSWER_RESERVE_MS = 1_000;
// `server_group_ids` takes at most 30 ids (protected instances and replication pairs only; DR drills filter by
// one `server_group_id`).
const GROUPS_PER_LISTING = 30;
// The most members of one listing the facade reads (ten full SDRS pages).
const MAX_MEMBERS = 10_000;
// Ids that may go inside the list literal: nothing that could close a quote or the list.
const LITERAL_SAFE = /^[A-Za-z0-9_-]{1,128}$/;

const WHAT: Record<SdrsMemberKind, string> = {
  instances: 'protected instances',
  pairs: 'replication pairs',
  drills: 'DR drills',
};

/** Per-request loaders for one caller: every protection group, member and job is read at most once per GraphQL request. */
export function createSdrsLoaders(client: SdrsClient, caller: Caller) {
  const lane = client.http.bulkhead.maxActive;
  // SDRS has no get-many endpoint; a by-id show per group, missing (SDRS.1013) ones resolve to null.
  const groupById = byIdLoader<SdrsProtectionGroup>((id) => client.showGroup(caller, id));
  const jobById = new DataLoader<string, SdrsJob | null>((ids) =>
    settle(ids.map((id) => nullIfNotFound(client.showJob(caller, id)))),
  );
  // Members by id: one show each (SDRS.1320 / 1608 / 1902 -> null); the group listings prime them.
  const instanceById = byIdLoader<SdrsProtectedInstance>((id) => client.showMember(caller, 'instances', id));
  const pairById = byIdLoader<SdrsReplicationPair>((id) => client.showMember(caller, 'pairs', id));
  const drillById = byIdLoader<SdrsDrill>((id) => client.showMember(caller, 'drills', id));

  /** Every member of a listing matching `filters` (all of them when undefined), up to `maxItems`. */
  const listAll = async <K extends SdrsMemberKind>(kind: K, filters: SdrsMemberFilters | undefined, maxItems: number) => {
    const read = await readOffsetPages(
      (limit, offset) => client.listMembers(caller, kind, { limit, offset, filters }),
      0,
      maxItems,
      50,
      WHAT[kind],
    );
    return read.items;
  };

  /**
   * The members of several groups in one listing per 30 groups (`server_group_ids`). Null when an id cannot go in
   * the list literal, or SDRS refuses the filter (an edition without it): the planner then reads otherwise.
   */
  const ofGroups =
    <K extends 'instances' | 'pairs'>(kind: K) =>
    async (groupIds: readonly string[]) => {
      if (!groupIds.every((id) => LITERAL_SAFE.test(id))) return null;
      const chunks: string[][] = [];
      for (let i = 0; i < groupIds.length; i += GROUPS_PER_LISTING) chunks.push(groupIds.slice(i, i + GROUPS_PER_LISTING));
      try {
        const answers = await Promise.all(
          chunks.map((chunk) => listAll(kind, { server_group_ids: JSON.stringify(chunk) }, MAX_MEMBERS)),
        );
        return partition(answers.flat(), groupIds, (m) => m.server_group_id);
      } catch (err) {
        if (err instanceof FacadeError && err.code === 'BAD_USER_INPUT') return null;
        throw err;
      }
    };

  const instancesByGroupId = childrenByParent<SdrsProtectedInstance>(
    (filters, max) => listAll('instances', filters, max),
    'server_group_id',
    (i) => i.server_group_id,
    (i) => instanceById.prime(i.id, i),
    { sizeKey: CollectionSizes.key('sdrs', 'protected-instances', caller), many: { read: ofGroups('instances'), perCall: GROUPS_PER_LISTING }, lane },
  );
  const pairsByGroupId = childrenByParent<SdrsReplicationPair>(
    (filters, max) => listAll('pairs', filters, max),
    'server_group_id',
    (p) => p.server_group_id,
    (p) => pairById.prime(p.id, p),
    { sizeKey: CollectionSizes.key('sdrs', 'replications', caller), many: { read: ofGroups('pairs'), perCall: GROUPS_PER_LISTING }, lane },
  );
  // No `server_group_ids` for drills: several groups share one bounded listing of all drills, or (over budget)
  // get one filtered listing each, sent together.
  const drillsByGroupId = childrenByParent<SdrsDrill>(
    (filters, max) => listAll('drills', filters, max),
    'server_group_id',
    (d) => d.server_group_id,
    (d) => drillById.prime(d.id, d),
    { sizeKey: CollectionSizes.key('sdrs', 'disaster-recovery-drills', caller), lane },
  );

  /**
   * One read of a followed job, refused once the request's answer is out: a field the answer did not wait for
   * (a sibling failed it first) must not go on polling, uncounted, after the request has given up its slot.
   */
  const readUnlessAnswered = (jobId: string): Promise<SdrsJob> =>
    caller.trace?.answered ? Promise.reject(new Error(`Job ${jobId} is no longer followed: the request was answered.`)) : client.showJob(caller, jobId);

  /** A member of a known group: from the group's (batched) listing, or its own show when the listing lacks it. */
  async function memberOf<T extends { id: string }>(
    byGroup: DataLoader<string, T[]>,
    byId: DataLoader<string, T | null>,
    groupId: string | null | undefined,
    id: string,
  ): Promise<T | null> {
    if (groupId) {
      const found = (await byGroup.load(groupId)).find((m) => m.id === id);
      if (found) return found;
    }
    return byId.load(id);
  }

  /** After a write: forget what this request knew about the group and its members (a job moves them all). */
  function forgetGroup(id: string) {
    groupById.clear(id);
    instancesByGroupId.clear(id);
    pairsByGroupId.clear(id);
    drillsByGroupId.clear(id);
    instanceById.clearAll();
    pairById.clearAll();
  }

  return {
    groupById,
    jobById,
    instanceById,
    pairById,
    drillById,
    instancesByGroupId,
    pairsByGroupId,
    drillsByGroupId,
    /** The protected instance `id` of group `groupId`, read with the group's other instances. */
    instanceOf: (groupId: string | null | undefined, id: string) => memberOf(instancesByGroupId, instanceById, groupId, id),
    /** The replication pair `id` of group `groupId`, read with the group's other pairs. */
    pairOf: (groupId: string | null | undefined, id: string) => memberOf(pairsByGroupId, pairById, groupId, id),
    /**
     * Reads the job until it ends or `waitMs` passes; the loader then holds that final reading. The wait also
     * ends early enough to answer inside the request deadline (REQUEST_DEADLINE_MS), with the job as it stands.
     * The job's group and members are forgotten then: a sibling field (a listing, the group by id) read them
     * before the job moved them, and `job.protectionGroup` must show the group as the job left it.
     */
    async waitForJob(jobId: string, waitMs: number): Promise<SdrsJob | null> {
      const budget = caller.deadline === undefined ? waitMs : Math.min(waitMs, caller.deadline - Date.now() - ANSWER_RESERVE_MS);
      const job = await nullIfNotFound(followJob(() => readUnlessAnswered(jobId), Math.max(0, budget)));
      jobById.clear(jobId);
      if (job) jobById.prime(jobId, job);
      const groupId = job?.entities?.server_group_id;
      if (groupId) forgetGroup(groupId);
      return job;
    },
    forgetGroup,
  };
}

export type SdrsLoaders = ReturnType<typeof createSdrsLoaders>;
