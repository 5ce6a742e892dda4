import type { MutationResolvers } from '../../../generated/graphql.js';
import { assertUuid } from '../../../ids.js';
import { reread } from './groups.js';

export const replicationMutations: MutationResolvers = {
  enableGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await ctx.cinder().client.groupAction(ctx.caller, id, 'enable_replication', {}, 'replication');
    return { group: await reread(ctx, id) };
  },
  disableGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await ctx.cinder().client.groupAction(ctx.caller, id, 'disable_replication', {}, 'replication');
    return { group: await reread(ctx, id) };
  },
  failoverGroupReplication: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const args: Record<string, unknown> = { allow_attached_volume: input.allowAttachedVolume ?? false };
    if (input.secondaryBackendId) args.secondary_backend_id = input.secondaryBackendId;
    await ctx.cinder().client.groupAction(ctx.caller, id, 'failover_replication', args, 'replication');
    return { group: await reread(ctx, id) };
  },
};
