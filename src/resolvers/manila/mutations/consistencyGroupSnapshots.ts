import type {
  CreateConsistencyGroupSnapshotInput,
  DeleteConsistencyGroupSnapshotInput,
  ForceDeleteConsistencyGroupSnapshotInput,
  MutationResolvers,
  ResetConsistencyGroupSnapshotStatusInput,
  UpdateConsistencyGroupSnapshotInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { explainFailure } from './upstreamHints.js';

// Legacy cgsnapshot writes: every call goes through ManilaConsistencyGroups, which answers NOT_SUPPORTED on a
// Manila of 2.31+ before sending anything.

/** Forget it and read it again from Manila, again while it is transitional for up to `waitMs`. */
async function reread(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.manila();
  const fresh = () => {
    loaders.forgetCgSnapshot(id);
    return nullIfNotFound(loaders.cgSnapshotById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'consistencyGroupSnapshot', fresh, waitMs);
  return { consistencyGroupSnapshot: value, settled };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const consistencyGroupSnapshotChecks = {
  createConsistencyGroupSnapshot: (input: CreateConsistencyGroupSnapshotInput) => {
    const groupId = assertUuid(input.consistencyGroupId, 'consistencyGroupId');
    const waitMs = writeWaitMillis(input.waitSeconds);
    return { waitMs, body: { consistency_group_id: groupId, name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined } };
  },
  updateConsistencyGroupSnapshot: (input: UpdateConsistencyGroupSnapshotInput) => {
    const id = assertUuid(input.id);
    const body = { name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined };
    if (body.name === undefined && body.description === undefined) {
      throw new InputError('updateConsistencyGroupSnapshot needs at least one of name and description.');
    }
    return { id, body };
  },
  deleteConsistencyGroupSnapshot: (input: DeleteConsistencyGroupSnapshotInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  resetConsistencyGroupSnapshotStatus: (input: ResetConsistencyGroupSnapshotStatusInput) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A consistency group snapshot status cannot be reset to UNKNOWN.');
    return { id, status: wireValue(input.status, 'snake') };
  },
  forceDeleteConsistencyGroupSnapshot: (input: ForceDeleteConsistencyGroupSnapshotInput) => ({ id: assertUuid(input.id) }),
};

export const consistencyGroupSnapshotMutations: MutationResolvers = {
  createConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const { waitMs, body } = consistencyGroupSnapshotChecks.createConsistencyGroupSnapshot(input);
    const groupId = body.consistency_group_id;
    const { cg, loaders } = ctx.manila();
    // A missing group is a 400 on Manila, not a 404; the client maps it to NOT_FOUND.
    const created = await explainFailure(cg.createSnapshot(ctx.caller, body), {
      NOT_FOUND: `Consistency group ${groupId} does not exist.`,
      CONFLICT: `Consistency group ${groupId} cannot be snapshotted now: it must be AVAILABLE.`,
    });
    loaders.forgetConsistencyGroup(groupId);
    return { id: created.id, ...(await reread(ctx, created.id, waitMs)) };
  },
  updateConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const { id, body } = consistencyGroupSnapshotChecks.updateConsistencyGroupSnapshot(input);
    await writing('consistencyGroupSnapshot', id, ctx.manila().cg.updateSnapshot(ctx.caller, id, body));
    return { consistencyGroupSnapshot: (await reread(ctx, id, null)).consistencyGroupSnapshot };
  },
  deleteConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const { id, waitMs } = consistencyGroupSnapshotChecks.deleteConsistencyGroupSnapshot(input);
    await explainFailure(writing('consistencyGroupSnapshot', id, ctx.manila().cg.deleteSnapshot(ctx.caller, id)), {
      CONFLICT: `Consistency group snapshot ${id} cannot be deleted now: it must be AVAILABLE or ERROR.`,
    });
    return { id, ...(await reread(ctx, id, waitMs)) };
  },
  resetConsistencyGroupSnapshotStatus: async (_, { input }, ctx) => {
    const { id, status } = consistencyGroupSnapshotChecks.resetConsistencyGroupSnapshotStatus(input);
    await writing('consistencyGroupSnapshot', id, ctx.manila().cg.snapshotAction(ctx.caller, id, 'reset_status', { status }));
    return { consistencyGroupSnapshot: (await reread(ctx, id, null)).consistencyGroupSnapshot };
  },
  forceDeleteConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const { id } = consistencyGroupSnapshotChecks.forceDeleteConsistencyGroupSnapshot(input);
    await writing('consistencyGroupSnapshot', id, ctx.manila().cg.snapshotAction(ctx.caller, id, 'force_delete', null));
    return { id, consistencyGroupSnapshot: (await reread(ctx, id, null)).consistencyGroupSnapshot };
  },
};
