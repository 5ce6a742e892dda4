import type { MutationResolvers, ReverseProtectionGroupInput } from '../../../generated/graphql.js';
import type { RequestContext } from '../../../context.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid } from '../../../ids.js';
import { writing } from '../../../live/afterWrite.js';
import type { SdrsActionName } from '../../../upstreams/sdrs/types.js';
import { waitMillis } from '../wait.js';
import { jobPayload } from './jobPayload.js';

interface CheckedAction {
  id: string;
  waitMs: number | null;
  args?: Record<string, unknown>;
}

const groupAndWait = (input: { id: string; waitSeconds?: number | null }): CheckedAction => ({
  id: assertUuid(input.id),
  waitMs: waitMillis(input.waitSeconds),
});

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const protectionChecks = {
  startProtection: groupAndWait,
  stopProtection: groupAndWait,
  failoverProtectionGroup: groupAndWait,
  reverseProtectionGroup: (input: ReverseProtectionGroupInput): CheckedAction => ({
    ...groupAndWait(input),
    args: { priority_station: wireValue(input.priorityStation, 'snake') },
  }),
};

/**
 * One protection-group action: input checked first, then exactly one POST (never retried: it starts work in a
 * disaster), then the job and the group are read back.
 */
async function act(ctx: RequestContext, { id, waitMs, args = {} }: CheckedAction, action: SdrsActionName) {
  const { job_id } = await writing('protectionGroup', id, ctx.sdrs().client.groupAction(ctx.caller, id, action, args));
  return jobPayload(ctx, job_id, id, waitMs);
}

export const protectionMutations: MutationResolvers = {
  // Enable and enable-again (re-protect after a failover) are the same request; SDRS picks by status.
  startProtection: (_, { input }, ctx) => act(ctx, protectionChecks.startProtection(input), 'start-server-group'),
  stopProtection: (_, { input }, ctx) => act(ctx, protectionChecks.stopProtection(input), 'stop-server-group'),
  failoverProtectionGroup: (_, { input }, ctx) => act(ctx, protectionChecks.failoverProtectionGroup(input), 'failover-server-group'),
  reverseProtectionGroup: (_, { input }, ctx) => act(ctx, protectionChecks.reverseProtectionGroup(input), 'reverse-server-group'),
};
