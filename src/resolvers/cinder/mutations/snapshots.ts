import type {
  CreateGroupSnapshotInput,
  DeleteGroupSnapshotInput,
  MutationResolvers,
  ResetGroupSnapshotStatusInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';

/** Forget the snapshot and read it again from Cinder, again while it is transitional for up to `waitMs`. */
async function rereadSnapshot(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.cinder();
  const fresh = () => {
    loaders.forgetGroupSnapshot(id);
    return nullIfNotFound(loaders.groupSnapshotById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'groupSnapshot', fresh, waitMs);
  return { groupSnapshot: value, settled };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const snapshotChecks = {
  createGroupSnapshot: (input: CreateGroupSnapshotInput) => {
    const groupId = assertUuid(input.groupId, 'groupId');
    const waitMs = writeWaitMillis(input.waitSeconds);
    return { waitMs, body: { group_id: groupId, name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined } };
  },
  deleteGroupSnapshot: (input: DeleteGroupSnapshotInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  resetGroupSnapshotStatus: (input: ResetGroupSnapshotStatusInput) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A group snapshot status cannot be reset to UNKNOWN.');
    return { id, status: wireValue(input.status, 'snake') };
  },
};

export const snapshotMutations: MutationResolvers = {
  createGroupSnapshot: async (_, { input }, ctx) => {
    const { waitMs, body } = snapshotChecks.createGroupSnapshot(input);
    const created = await ctx.cinder().client.createGroupSnapshot(ctx.caller, body);
    ctx.cinder().loaders.forgetGroup(body.group_id);
    return { id: created.id, ...(await rereadSnapshot(ctx, created.id, waitMs)) };
  },
  deleteGroupSnapshot: async (_, { input }, ctx) => {
    const { id, waitMs } = snapshotChecks.deleteGroupSnapshot(input);
    await writing('groupSnapshot', id, ctx.cinder().client.deleteGroupSnapshot(ctx.caller, id));
    return { id, ...(await rereadSnapshot(ctx, id, waitMs)) };
  },
  resetGroupSnapshotStatus: async (_, { input }, ctx) => {
    const { id, status } = snapshotChecks.resetGroupSnapshotStatus(input);
    await writing('groupSnapshot', id, ctx.cinder().client.resetGroupSnapshotStatus(ctx.caller, id, status));
    return { groupSnapshot: (await rereadSnapshot(ctx, id, null)).groupSnapshot };
  },
};
