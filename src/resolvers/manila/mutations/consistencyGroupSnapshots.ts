import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { explainFailure } from './upstreamHints.js';

// Legacy cgsnapshot writes: every call goes through ManilaConsistencyGroups, which answers NOT_SUPPORTED on a
// Manila of 2.31+ before sending anything.

function reread(ctx: RequestContext, id: string) {
  const { loaders } = ctx.manila();
  loaders.forgetCgSnapshot(id);
  return nullIfNotFound(loaders.cgSnapshotById.load(id));
}

export const consistencyGroupSnapshotMutations: MutationResolvers = {
  createConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const groupId = assertUuid(input.consistencyGroupId, 'consistencyGroupId');
    const { cg, loaders } = ctx.manila();
    // A missing group is a 400 on Manila, not a 404; the client maps it to NOT_FOUND.
    const created = await explainFailure(
      cg.createSnapshot(ctx.caller, { consistency_group_id: groupId, name: input.name ?? undefined, description: input.description ?? undefined }),
      {
        NOT_FOUND: `Consistency group ${groupId} does not exist.`,
        CONFLICT: `Consistency group ${groupId} cannot be snapshotted now: it must be AVAILABLE.`,
      },
    );
    loaders.forgetConsistencyGroup(groupId);
    return { consistencyGroupSnapshot: await reread(ctx, created.id) };
  },
  updateConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const body = { name: input.name ?? undefined, description: input.description ?? undefined };
    if (body.name === undefined && body.description === undefined) {
      throw new InputError('updateConsistencyGroupSnapshot needs at least one of name and description.');
    }
    await ctx.manila().cg.updateSnapshot(ctx.caller, id, body);
    return { consistencyGroupSnapshot: await reread(ctx, id) };
  },
  deleteConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await explainFailure(ctx.manila().cg.deleteSnapshot(ctx.caller, id), {
      CONFLICT: `Consistency group snapshot ${id} cannot be deleted now: it must be AVAILABLE or ERROR.`,
    });
    return { id, consistencyGroupSnapshot: await reread(ctx, id) };
  },
  resetConsistencyGroupSnapshotStatus: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A consistency group snapshot status cannot be reset to UNKNOWN.');
    await ctx.manila().cg.snapshotAction(ctx.caller, id, 'reset_status', { status: wireValue(input.status, 'snake') });
    return { consistencyGroupSnapshot: await reread(ctx, id) };
  },
  forceDeleteConsistencyGroupSnapshot: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await ctx.manila().cg.snapshotAction(ctx.caller, id, 'force_delete', null);
    return { id, consistencyGroupSnapshot: await reread(ctx, id) };
  },
};
