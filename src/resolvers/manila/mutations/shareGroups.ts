import type {
  CreateShareGroupInput,
  DeleteShareGroupInput,
  ForceDeleteShareGroupInput,
  MutationResolvers,
  ResetShareGroupStatusInput,
  UpdateShareGroupInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalNotBlank, optionalUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { explainFailure } from './upstreamHints.js';
import { assertDistinct } from '../../distinct.js';

/** Forget what this request knew about a share group and read it again from Manila, again while transitional for up to `waitMs`. */
async function rereadShareGroup(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.manila();
  const fresh = () => {
    loaders.forgetShareGroup(id);
    return nullIfNotFound(loaders.shareGroupById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'shareGroup', fresh, waitMs);
  return { shareGroup: value, settled };
}

/**
 * Manila does not inherit the share group type from a source snapshot (it falls back to the default type, and
 * without one answers 400): take the source group's type, as a user would expect. Undefined when unknown.
 */
async function sourceGroupType(ctx: RequestContext, snapshotId: string): Promise<string | undefined> {
  const { loaders } = ctx.manila();
  const snap = await loaders.shareGroupSnapshotById.load(snapshotId);
  const group = snap ? await loaders.shareGroupById.load(snap.share_group_id) : null;
  return group?.share_group_type_id;
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const shareGroupChecks = {
  createShareGroup: (input: CreateShareGroupInput) => {
    const types = assertDistinct((input.shareTypeIds ?? []).map((t) => assertUuid(t, 'shareTypeIds')), 'shareTypeIds', true);
    const source = optionalUuid(input.sourceShareGroupSnapshotId, 'sourceShareGroupSnapshotId');
    if ((types.length > 0) === (source !== undefined)) {
      throw new InputError('Give exactly one of shareTypeIds (at least one) and sourceShareGroupSnapshotId.');
    }
    const networkId = optionalUuid(input.shareNetworkId, 'shareNetworkId');
    const zone = optionalNotBlank(input.availabilityZone, 'availabilityZone');
    // A group made from a snapshot inherits these; Manila refuses them with 400.
    if (source && (networkId !== undefined || zone !== undefined)) {
      throw new InputError('shareNetworkId and availabilityZone are inherited from the source snapshot; leave them out.');
    }
    // The body without the group type, which for a group made from a snapshot is read from its source group.
    const body: Record<string, unknown> = {
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      share_network_id: networkId,
      availability_zone: zone,
      // Mutually exclusive upstream: the other key must be absent, not null.
      ...(source ? { source_share_group_snapshot_id: source } : { share_types: types }),
    };
    const groupTypeId = optionalUuid(input.shareGroupTypeId, 'shareGroupTypeId');
    return { source, groupTypeId, body, waitMs: writeWaitMillis(input.waitSeconds) };
  },
  updateShareGroup: (input: UpdateShareGroupInput) => {
    const id = assertUuid(input.id);
    const body = { name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined };
    if (body.name === undefined && body.description === undefined) {
      throw new InputError('updateShareGroup needs at least one of name and description.');
    }
    return { id, body };
  },
  deleteShareGroup: (input: DeleteShareGroupInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  forceDeleteShareGroup: (input: ForceDeleteShareGroupInput) => ({ id: assertUuid(input.id) }),
  resetShareGroupStatus: (input: ResetShareGroupStatusInput) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A share group status cannot be reset to UNKNOWN.');
    return { id, status: wireValue(input.status, 'snake') };
  },
};

export const shareGroupMutations: MutationResolvers = {
  createShareGroup: async (_, { input }, ctx) => {
    const { source, groupTypeId, body, waitMs } = shareGroupChecks.createShareGroup(input);
    body.share_group_type_id = source && !groupTypeId ? await sourceGroupType(ctx, source) : groupTypeId;
    const created = await explainFailure(ctx.manila().client.createShareGroup(ctx.caller, body), {
      NOT_FOUND: source ? `Share group snapshot ${source} does not exist.` : 'A share type, share group type, share network or availability zone given does not exist.',
    });
    return { id: created.id, ...(await rereadShareGroup(ctx, created.id, waitMs)) };
  },
  updateShareGroup: async (_, { input }, ctx) => {
    const { id, body } = shareGroupChecks.updateShareGroup(input);
    await writing('shareGroup', id, ctx.manila().client.updateShareGroup(ctx.caller, id, body));
    return { shareGroup: (await rereadShareGroup(ctx, id, null)).shareGroup };
  },
  deleteShareGroup: async (_, { input }, ctx) => {
    const { id, waitMs } = shareGroupChecks.deleteShareGroup(input);
    await explainFailure(writing('shareGroup', id, ctx.manila().client.deleteShareGroup(ctx.caller, id)), {
      CONFLICT: `Share group ${id} cannot be deleted now: it must be AVAILABLE or ERROR and hold no shares and no snapshots.`,
    });
    return { id, ...(await rereadShareGroup(ctx, id, waitMs)) };
  },
  forceDeleteShareGroup: async (_, { input }, ctx) => {
    const { id } = shareGroupChecks.forceDeleteShareGroup(input);
    // Manila's DELETE has no force parameter: forcing is the admin action with a null argument.
    await writing('shareGroup', id, ctx.manila().client.shareGroupAction(ctx.caller, id, 'force_delete', null));
    return { id, shareGroup: (await rereadShareGroup(ctx, id, null)).shareGroup };
  },
  resetShareGroupStatus: async (_, { input }, ctx) => {
    const { id, status } = shareGroupChecks.resetShareGroupStatus(input);
    await writing('shareGroup', id, ctx.manila().client.shareGroupAction(ctx.caller, id, 'reset_status', { status }));
    return { shareGroup: (await rereadShareGroup(ctx, id, null)).shareGroup };
  },
};
