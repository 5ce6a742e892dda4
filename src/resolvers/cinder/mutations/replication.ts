import type {
  DisableGroupReplicationInput,
  EnableGroupReplicationInput,
  FailoverGroupReplicationInput,
  MutationResolvers,
} from '../../../generated/graphql.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { rereadGroup } from './groups.js';

// Each action is one POST, never retried; with waitSeconds the group is then re-read until its replication settles.

const groupAndWait = (input: EnableGroupReplicationInput | DisableGroupReplicationInput) => ({
  id: assertUuid(input.id),
  waitMs: writeWaitMillis(input.waitSeconds),
});

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const replicationChecks = {
  enableGroupReplication: groupAndWait,
  disableGroupReplication: groupAndWait,
  failoverGroupReplication: (input: FailoverGroupReplicationInput) => {
    const { id, waitMs } = groupAndWait(input);
    const args: Record<string, unknown> = { allow_attached_volume: input.allowAttachedVolume ?? false };
    // A blank backend is refused: leaving it out would fail over to Cinder's default instead of what was asked.
    const backend = optionalNotBlank(input.secondaryBackendId, 'secondaryBackendId');
    if (backend !== undefined) args.secondary_backend_id = backend;
    return { id, waitMs, args };
  },
};

export const replicationMutations: MutationResolvers = {
  enableGroupReplication: async (_, { input }, ctx) => {
    const { id, waitMs } = replicationChecks.enableGroupReplication(input);
    await writing('group', id, ctx.cinder().client.groupAction(ctx.caller, id, 'enable_replication', {}, 'replication'));
    return rereadGroup(ctx, id, waitMs);
  },
  disableGroupReplication: async (_, { input }, ctx) => {
    const { id, waitMs } = replicationChecks.disableGroupReplication(input);
    await writing('group', id, ctx.cinder().client.groupAction(ctx.caller, id, 'disable_replication', {}, 'replication'));
    return rereadGroup(ctx, id, waitMs);
  },
  failoverGroupReplication: async (_, { input }, ctx) => {
    const { id, waitMs, args } = replicationChecks.failoverGroupReplication(input);
    await writing('group', id, ctx.cinder().client.groupAction(ctx.caller, id, 'failover_replication', args, 'replication'));
    return rereadGroup(ctx, id, waitMs);
  },
};
