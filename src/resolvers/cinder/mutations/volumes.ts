import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { assertUuid, optionalNotBlank, optionalUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';

/** Forget what this request knew about a volume and read it again from Cinder, again while transitional for up to `waitMs`. */
async function rereadVolume(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.cinder();
  const fresh = () => {
    loaders.forgetVolume(id);
    return nullIfNotFound(loaders.volumeById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'volume', fresh, waitMs);
  return { volume: value, settled };
}

export const volumeMutations: MutationResolvers = {
  createVolume: async (_, { input }, ctx) => {
    if (!Number.isInteger(input.size) || input.size < 1) throw new InputError(`size must be a whole number of GiB, at least 1; got ${input.size}.`);
    const groupId = optionalUuid(input.groupId, 'groupId');
    const volumeType = optionalUuid(input.volumeTypeId, 'volumeTypeId');
    // Cinder refuses a volume for a group without its type (one of the group's): said before the call.
    if (groupId && !volumeType) throw new InputError("A volume created in a group needs volumeTypeId, one of the group's volume types.");
    const waitMs = writeWaitMillis(input.waitSeconds);
    const { client, loaders } = ctx.cinder();
    const created = await client.createVolume(ctx.caller, {
      size: input.size,
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      volume_type: volumeType,
      // Cinder puts a volume into a group at create time only (create_volume_v313).
      group_id: groupId,
      availability_zone: optionalNotBlank(input.availabilityZone, 'availabilityZone'),
    });
    if (groupId) loaders.forgetGroup(groupId);
    return { id: created.id, ...(await rereadVolume(ctx, created.id, waitMs)) };
  },
  deleteVolume: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const waitMs = writeWaitMillis(input.waitSeconds);
    await ctx.cinder().client.deleteVolume(ctx.caller, id);
    return { id, ...(await rereadVolume(ctx, id, waitMs)) };
  },
};
