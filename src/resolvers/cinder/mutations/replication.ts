import type { MutationResolvers } from '../../../generated/graphql.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { writeWaitMillis } from '../../../live/writeOutcome.js';
import { rereadGroup } from './groups.js';

// Each action is one POST, never retried; with waitSeconds the group is then re-read until its replication settles.

export const replicationMutations: MutationResolvers = {
  enableGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = writeWaitMillis(input.waitSeconds);
    await ctx.cinder().client.groupAction(ctx.caller, id, 'enable_replication', {}, 'replication');
    return rereadGroup(ctx, id, waitMs);
  },
  disableGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = writeWaitMillis(input.waitSeconds);
    await ctx.cinder().client.groupAction(ctx.caller, id, 'disable_replication', {}, 'replication');
    return rereadGroup(ctx, id, waitMs);
  },
  failoverGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = writeWaitMillis(input.waitSeconds);
    const args: Record<string, unknown> = { allow_attached_volume: input.allowAttachedVolume ?? false };
    // A blank backend is refused: leaving it out would fail over to Cinder's default instead of what was asked.
    const backend = optionalNotBlank(input.secondaryBackendId, 'secondaryBackendId');
    if (backend !== undefined) args.secondary_backend_id = backend;
    await ctx.cinder().client.groupAction(ctx.caller, id, 'failover_replication', args, 'replication');
    return rereadGroup(ctx, id, waitMs);
  },
};
