import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';

function reread(ctx: RequestContext, id: string) {
  const { loaders } = ctx.cinder();
  loaders.forgetGroupSnapshot(id);
  return nullIfNotFound(loaders.groupSnapshotById.load(id));
}

export const snapshotMutations: MutationResolvers = {
  createGroupSnapshot: async (_, { input }, ctx) => {
    const groupId = assertUuid(input.groupId, 'groupId');
    const created = await ctx.cinder().client.createGroupSnapshot(ctx.caller, {
      group_id: groupId,
      name: input.name ?? undefined,
      description: input.description ?? undefined,
    });
    ctx.cinder().loaders.forgetGroup(groupId);
    return { groupSnapshot: await reread(ctx, created.id) };
  },
  deleteGroupSnapshot: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await ctx.cinder().client.deleteGroupSnapshot(ctx.caller, id);
    return { id, groupSnapshot: await reread(ctx, id) };
  },
  resetGroupSnapshotStatus: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A group snapshot status cannot be reset to UNKNOWN.');
    await ctx.cinder().client.resetGroupSnapshotStatus(ctx.caller, id, wireValue(input.status, 'snake'));
    return { groupSnapshot: await reread(ctx, id) };
  },
};
