import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';

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

export const snapshotMutations: MutationResolvers = {
  createGroupSnapshot: async (_, { input }, ctx) => {
    const groupId = assertUuid(input.groupId, 'groupId');
    const waitMs = writeWaitMillis(input.waitSeconds);
    const created = await ctx.cinder().client.createGroupSnapshot(ctx.caller, {
      group_id: groupId,
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
    });
    ctx.cinder().loaders.forgetGroup(groupId);
    return { id: created.id, ...(await rereadSnapshot(ctx, created.id, waitMs)) };
  },
  deleteGroupSnapshot: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = writeWaitMillis(input.waitSeconds);
    await ctx.cinder().client.deleteGroupSnapshot(ctx.caller, id);
    return { id, ...(await rereadSnapshot(ctx, id, waitMs)) };
  },
  resetGroupSnapshotStatus: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A group snapshot status cannot be reset to UNKNOWN.');
    await ctx.cinder().client.resetGroupSnapshotStatus(ctx.caller, id, wireValue(input.status, 'snake'));
    return { groupSnapshot: (await rereadSnapshot(ctx, id, null)).groupSnapshot };
  },
};
