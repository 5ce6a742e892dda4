import type { CreateVolumeInput, DeleteVolumeInput, MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { assertUuid, optionalNotBlank, optionalUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';

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

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const volumeChecks = {
  createVolume: (input: CreateVolumeInput) => {
    if (!Number.isInteger(input.size) || input.size < 1) throw new InputError(`size must be a whole number of GiB, at least 1; got ${input.size}.`);
    const groupId = optionalUuid(input.groupId, 'groupId');
    const volumeType = optionalUuid(input.volumeTypeId, 'volumeTypeId');
    // Cinder refuses a volume for a group without its type (one of the group's): said before the call.
    if (groupId && !volumeType) throw new InputError("A volume created in a group needs volumeTypeId, one of the group's volume types.");
    const waitMs = writeWaitMillis(input.waitSeconds);
    const body = {
      size: input.size,
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      volume_type: volumeType,
      // Cinder puts a volume into a group at create time only (create_volume_v313).
      group_id: groupId,
      availability_zone: optionalNotBlank(input.availabilityZone, 'availabilityZone'),
    };
    return { waitMs, body };
  },
  deleteVolume: (input: DeleteVolumeInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
};

export const volumeMutations: MutationResolvers = {
  createVolume: async (_, { input }, ctx) => {
    const { waitMs, body } = volumeChecks.createVolume(input);
    const { client, loaders } = ctx.cinder();
    const created = await client.createVolume(ctx.caller, body);
    if (body.group_id) loaders.forgetGroup(body.group_id);
    return { id: created.id, ...(await rereadVolume(ctx, created.id, waitMs)) };
  },
  deleteVolume: async (_, { input }, ctx) => {
    const { id, waitMs } = volumeChecks.deleteVolume(input);
    await writing('volume', id, ctx.cinder().client.deleteVolume(ctx.caller, id));
    return { id, ...(await rereadVolume(ctx, id, waitMs)) };
  },
};
