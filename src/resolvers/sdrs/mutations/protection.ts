import type { MutationResolvers } from '../../../generated/graphql.js';
import type { RequestContext } from '../../../context.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid } from '../../../ids.js';
import type { SdrsActionName } from '../../../upstreams/sdrs/types.js';
import { waitMillis } from '../wait.js';
import { jobPayload } from './jobPayload.js';

/**
 * One protection-group action: input checked first, then exactly one POST (never retried: it starts work in a
 * disaster), then the job and the group are read back.
 */
async function act(
  ctx: RequestContext,
  input: { id: string; waitSeconds?: number | null },
  action: SdrsActionName,
  args: Record<string, unknown> = {},
) {
  const id = assertUuid(input.id);
  const waitMs = waitMillis(input.waitSeconds);
  const { job_id } = await ctx.sdrs().client.groupAction(ctx.caller, id, action, args);
  return jobPayload(ctx, job_id, id, waitMs);
}

export const protectionMutations: MutationResolvers = {
  // Enable and enable-again (re-protect after a failover) are the same request; SDRS picks by status.
  startProtection: (_, { input }, ctx) => act(ctx, input, 'start-server-group'),
  stopProtection: (_, { input }, ctx) => act(ctx, input, 'stop-server-group'),
  failoverProtectionGroup: (_, { input }, ctx) => act(ctx, input, 'failover-server-group'),
  reverseProtectionGroup: (_, { input }, ctx) =>
    act(ctx, input, 'reverse-server-group', { priority_station: wireValue(input.priorityStation, 'snake') }),
};
