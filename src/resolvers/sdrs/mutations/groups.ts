import type {
  CreateProtectionGroupInput,
  DeleteProtectionGroupInput,
  MutationResolvers,
  RenameProtectionGroupInput,
} from '../../../generated/graphql.js';
import type { RequestContext } from '../../../context.js';
import { InputError } from '../../../errors.js';
import { assertNotBlank, assertUuid } from '../../../ids.js';
import { madeButUnread } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { SdrsProtectionGroup } from '../../../upstreams/sdrs/types.js';
import { waitMillis } from '../wait.js';
import { jobPayload } from './jobPayload.js';

// SDRS API reference, "Creating a Protection Group": a name of at most 64 bytes of letters, digits, `.`, `_`, `-`;
// a description of at most 64 bytes without `<` or `>`.
const SDRS_NAME = /^[A-Za-z0-9._-]{1,64}$/;

function sdrsName(name: string): string {
  if (!SDRS_NAME.test(name)) {
    throw new InputError(`Invalid protection group name ${JSON.stringify(name.slice(0, 70))}: 1 to 64 letters, digits, '.', '_' or '-'.`);
  }
  return name;
}

function sdrsDescription(description: string | null | undefined): string | undefined {
  if (description === null || description === undefined) return undefined;
  if (Buffer.byteLength(description) > 64 || /[<>]/.test(description)) {
    throw new InputError('Invalid protection group description: at most 64 bytes, without < or >.');
  }
  return description;
}

/**
 * The production and DR site AZs are the two AZs of the group's active-active domain (SDRS API reference, "Querying
 * an Active-Active Domain": one replication cluster in each), so neither is blank and they differ; SDRS refuses
 * either with SDRS.0203 "Invalid AZ", after the call.
 */
function sdrsZones(source: string, target: string) {
  assertNotBlank(source, 'sourceAvailabilityZone');
  assertNotBlank(target, 'targetAvailabilityZone');
  if (source === target) {
    throw new InputError(`sourceAvailabilityZone and targetAvailabilityZone must differ (both are ${JSON.stringify(source.slice(0, 40))}): a protection group protects one AZ in another.`);
  }
  return { source_availability_zone: source, target_availability_zone: target };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const protectionGroupChecks = {
  createProtectionGroup: (input: CreateProtectionGroupInput) => {
    const waitMs = waitMillis(input.waitSeconds);
    // The active-active domain and the VPC are UUIDs (SDRS API reference, "Creating a Protection Group").
    const domainId = assertUuid(input.domainId, 'domainId');
    const sourceVpcId = assertUuid(input.sourceVpcId, 'sourceVpcId');
    const body = {
      name: sdrsName(input.name),
      description: sdrsDescription(input.description),
      ...sdrsZones(input.sourceAvailabilityZone, input.targetAvailabilityZone),
      domain_id: domainId,
      source_vpc_id: sourceVpcId,
      dr_type: 'migration' as const,
    };
    return { waitMs, body };
  },
  renameProtectionGroup: (input: RenameProtectionGroupInput) => ({ id: assertUuid(input.id), name: sdrsName(input.name) }),
  deleteProtectionGroup: (input: DeleteProtectionGroupInput) => ({ id: assertUuid(input.id), waitMs: waitMillis(input.waitSeconds) }),
};

/**
 * The group after a rename whose answer did not show it: read afresh, past the request's loaders. The rename was
 * made, so a failed read says so (with the read's code): sending it again would only repeat it.
 */
async function rereadRenamed(ctx: RequestContext, id: string): Promise<SdrsProtectionGroup | null> {
  try {
    return await nullIfNotFound(ctx.sdrs().client.showGroup(ctx.caller, id));
  } catch (err) {
    throw madeButUnread(err);
  }
}

export const protectionGroupMutations: MutationResolvers = {
  createProtectionGroup: async (_, { input }, ctx) => {
    const { waitMs, body } = protectionGroupChecks.createProtectionGroup(input);
    const { job_id } = await ctx.sdrs().client.createGroup(ctx.caller, body);
    // The new group's id is known only from the job's entities.
    return jobPayload(ctx, job_id, null, waitMs);
  },
  renameProtectionGroup: async (_, { input }, ctx) => {
    const { id, name } = protectionGroupChecks.renameProtectionGroup(input);
    const { client, loaders } = ctx.sdrs();
    const renamed = await writing('protectionGroup', id, client.renameGroup(ctx.caller, id, name));
    loaders.forgetGroup(id);
    const group = renamed ?? (await rereadRenamed(ctx, id));
    if (group) loaders.groupById.prime(id, group);
    return { protectionGroup: group };
  },
  deleteProtectionGroup: async (_, { input }, ctx) => {
    const { id, waitMs } = protectionGroupChecks.deleteProtectionGroup(input);
    const { job_id } = await writing('protectionGroup', id, ctx.sdrs().client.deleteGroup(ctx.caller, id));
    return { ...jobPayload(ctx, job_id, id, waitMs), id };
  },
};
