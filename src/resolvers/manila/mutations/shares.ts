import type { CreateShareInput, DeleteShareInput, MutationResolvers } from '../../../generated/graphql.js';
import { FacadeError, InputError } from '../../../errors.js';
import { assertUuid, optionalNotBlank, optionalUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import { textOf } from '../../../upstreams/wire.js';
import type { ManilaShareGroup } from '../../../upstreams/manila/types.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { explainFailure } from './upstreamHints.js';

/** Forget the share and read it again from Manila, again while it is transitional for up to `waitMs`. */
async function reread(ctx: RequestContext, id: string, shareGroupId: string | null | undefined, waitMs: number | null) {
  const { loaders } = ctx.manila();
  const fresh = () => {
    loaders.forgetShare(id, shareGroupId);
    return nullIfNotFound(loaders.shareById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'share', fresh, waitMs);
  return { share: value, settled };
}

/**
 * A share joins a group only when it is created, and only an AVAILABLE group takes one. Manila's own answer for a
 * group that is not yet AVAILABLE is misleading (a newly created group has no zone yet, so Zed looks up zone
 * "None" and answers 404), hence the facade's reading of the group first.
 */
async function groupFor(ctx: RequestContext, groupId: string): Promise<ManilaShareGroup> {
  const { client, loaders } = ctx.manila();
  await client.requireShareGroups(ctx.caller);
  const group = await loaders.shareGroupById.load(groupId);
  if (!group) throw new FacadeError('NOT_FOUND', `Share group ${groupId} does not exist.`);
  if (group.status !== 'available') {
    throw new FacadeError('CONFLICT', `Share group ${groupId} is ${String(textOf(group.status) ?? 'in no status').toUpperCase()}: a share can join it only while it is AVAILABLE.`);
  }
  return group;
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const shareChecks = {
  createShare: (input: CreateShareInput) => {
    if (!Number.isInteger(input.size) || input.size < 1) throw new InputError(`size must be a whole number of GiB, at least 1; got ${input.size}.`);
    return {
      groupId: optionalUuid(input.shareGroupId, 'shareGroupId'),
      typeId: optionalUuid(input.shareTypeId, 'shareTypeId'),
      networkId: optionalUuid(input.shareNetworkId, 'shareNetworkId'),
      zone: optionalNotBlank(input.availabilityZone, 'availabilityZone'),
      name: optionalNotBlank(input.name, 'name'),
      waitMs: writeWaitMillis(input.waitSeconds),
    };
  },
  deleteShare: (input: DeleteShareInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
};

export const shareMutations: MutationResolvers = {
  createShare: async (_, { input }, ctx) => {
    const checked = shareChecks.createShare(input);
    const { groupId, zone, name, waitMs } = checked;
    let { typeId, networkId } = checked;
    if (groupId) {
      const group = await groupFor(ctx, groupId);
      // Manila wants the group's network named again (400 otherwise) and falls back to the default share type,
      // which the group may not hold: take the group's.
      networkId ??= textOf(group.share_network_id);
      const types: unknown = group.share_types;
      if (!typeId && Array.isArray(types) && types.length === 1 && typeof types[0] === 'string') typeId = types[0];
    }
    const { client } = ctx.manila();
    const created = await explainFailure(
      client.createShare(ctx.caller, {
        size: input.size,
        share_proto: input.shareProtocol,
        name,
        description: input.description ?? undefined,
        share_type: typeId,
        share_network_id: networkId,
        share_group_id: groupId,
        availability_zone: zone,
      }),
      { NOT_FOUND: 'A share type, share network, share group or availability zone given does not exist.' },
    );
    return { id: created.id, ...(await reread(ctx, created.id, groupId, waitMs)) };
  },
  deleteShare: async (_, { input }, ctx) => {
    const { id, waitMs } = shareChecks.deleteShare(input);
    const { client, loaders } = ctx.manila();
    // Manila deletes a share of a group only when told the group's id (400 otherwise): read it first.
    const share = await loaders.shareById.load(id);
    if (!share) throw new FacadeError('NOT_FOUND', `Share ${id} does not exist.`);
    const groupId = share.share_group_id ?? null;
    await explainFailure(writing('share', id, client.deleteShare(ctx.caller, id, groupId)), {
      CONFLICT: `Share ${id} cannot be deleted now: it must be AVAILABLE, ERROR or INACTIVE, not busy, and have no snapshots.`,
    });
    return { id, ...(await reread(ctx, id, groupId, waitMs)) };
  },
};
