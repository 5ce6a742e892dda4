import type { MutationResolvers } from '../../../generated/graphql.js';
import { assertUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import { waitMillis } from '../wait.js';
import { jobPayload } from './jobPayload.js';

export const protectionGroupMutations: MutationResolvers = {
  createProtectionGroup: async (_, { input }, ctx) => {
    const waitMs = waitMillis(input.waitSeconds);
    // The active-active domain and the VPC are UUIDs (SDRS API reference, "Creating a Protection Group").
    const domainId = assertUuid(input.domainId, 'domainId');
    const sourceVpcId = assertUuid(input.sourceVpcId, 'sourceVpcId');
    const { job_id } = await ctx.sdrs().client.createGroup(ctx.caller, {
      name: input.name,
      description: input.description ?? undefined,
      source_availability_zone: input.sourceAvailabilityZone,
      target_availability_zone: input.targetAvailabilityZone,
      domain_id: domainId,
      source_vpc_id: sourceVpcId,
      dr_type: 'migration',
    });
    // The new group's id is known only from the job's entities.
    return jobPayload(ctx, job_id, null, waitMs);
  },
  renameProtectionGroup: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const { client, loaders } = ctx.sdrs();
    const renamed = await client.renameGroup(ctx.caller, id, input.name);
    loaders.forgetGroup(id);
    if (renamed) {
      loaders.groupById.prime(id, renamed);
      return { protectionGroup: renamed };
    }
    return { protectionGroup: await nullIfNotFound(loaders.groupById.load(id)) };
  },
  deleteProtectionGroup: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = waitMillis(input.waitSeconds);
    const { job_id } = await ctx.sdrs().client.deleteGroup(ctx.caller, id);
    return { ...jobPayload(ctx, job_id, id, waitMs), id };
  },
};
