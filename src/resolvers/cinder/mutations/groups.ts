import type {
  CreateGroupFromSourceInput,
  CreateGroupInput,
  DeleteGroupInput,
  MutationResolvers,
  ResetGroupStatusInput,
  UpdateGroupInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertNameOrId, assertUuid, optionalNotBlank, optionalUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { assertDistinct } from '../../distinct.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';

/**
 * Forget what this request knew about a group and read it again from Cinder, again and again while it is
 * transitional (its replication status included) for up to `waitMs`; the payload says whether it `settled`.
 */
export async function rereadGroup(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.cinder();
  const fresh = () => {
    loaders.forgetGroup(id);
    return nullIfNotFound(loaders.groupById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'group', fresh, waitMs);
  return { group: value, settled };
}

/** Volume ids to add or remove: at most MAX_LISTED, each once (case aside), lower-cased; undefined for none. */
const ids = (list: readonly string[] | null | undefined, field: string) =>
  list && list.length > 0 ? assertDistinct(list, field, true).map((v) => assertUuid(v, 'volume id')) : undefined;

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const groupChecks = {
  createGroup: (input: CreateGroupInput) => {
    if (input.volumeTypeIds.length === 0) throw new InputError('volumeTypeIds needs at least one volume type.');
    const waitMs = writeWaitMillis(input.waitSeconds);
    const body = {
      // Names or ids (Cinder resolves both), so of no one format; they go in the body only, checked as strings. Each
      // once, case aside as docs/limits.md says: a name matched case-insensitively (MySQL) may be a type given twice.
      group_type: assertNameOrId(input.groupTypeId, 'groupTypeId'),
      volume_types: assertDistinct(input.volumeTypeIds.map((t) => assertNameOrId(t, 'volumeTypeIds')), 'volumeTypeIds', true),
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      availability_zone: optionalNotBlank(input.availabilityZone, 'availabilityZone'),
    };
    return { waitMs, body };
  },
  createGroupFromSource: (input: CreateGroupFromSourceInput) => {
    const snap = optionalUuid(input.groupSnapshotId, 'groupSnapshotId');
    const src = optionalUuid(input.sourceGroupId, 'sourceGroupId');
    if ((snap === undefined) === (src === undefined)) {
      throw new InputError('Give exactly one of groupSnapshotId and sourceGroupId.');
    }
    const waitMs = writeWaitMillis(input.waitSeconds);
    const body = {
      // Cinder's schema is a oneOf: the other id must be absent, not null.
      ...(snap ? { group_snapshot_id: snap } : { source_group_id: src }),
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
    };
    return { waitMs, body };
  },
  updateGroup: (input: UpdateGroupInput) => {
    const id = assertUuid(input.id);
    const add = ids(input.addVolumeIds, 'addVolumeIds');
    const remove = ids(input.removeVolumeIds, 'removeVolumeIds');
    // Cinder wants comma-separated strings here, not arrays.
    const body = {
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      add_volumes: add?.join(','),
      remove_volumes: remove?.join(','),
    };
    if (Object.values(body).every((v) => v === undefined)) {
      throw new InputError('updateGroup needs at least one of name, description, addVolumeIds, removeVolumeIds.');
    }
    // Compared lower-cased (ids() made them so): one volume in two cases is still one volume.
    const both = add?.filter((v) => remove?.includes(v)) ?? [];
    if (both.length > 0) throw new InputError(`Volume ${both[0]} is both added to and removed from the group; Cinder refuses that.`);
    return { id, body, waitMs: writeWaitMillis(input.waitSeconds) };
  },
  deleteGroup: (input: DeleteGroupInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  resetGroupStatus: (input: ResetGroupStatusInput) => {
    const id = assertUuid(input.id);
    // Cinder validates group resets against the snapshot status list, so in-use is refused upstream too.
    if (input.status === 'UNKNOWN' || input.status === 'IN_USE') {
      throw new InputError(`A group status cannot be reset to ${input.status}.`);
    }
    return { id, status: wireValue(input.status, 'snake') };
  },
};

export const groupMutations: MutationResolvers = {
  createGroup: async (_, { input }, ctx) => {
    const { waitMs, body } = groupChecks.createGroup(input);
    const created = await ctx.cinder().client.createGroup(ctx.caller, body);
    return { id: created.id, ...(await rereadGroup(ctx, created.id, waitMs)) };
  },
  createGroupFromSource: async (_, { input }, ctx) => {
    const { waitMs, body } = groupChecks.createGroupFromSource(input);
    const created = await ctx.cinder().client.createGroupFromSource(ctx.caller, body);
    return { id: created.id, ...(await rereadGroup(ctx, created.id, waitMs)) };
  },
  updateGroup: async (_, { input }, ctx) => {
    const { id, body, waitMs } = groupChecks.updateGroup(input);
    await writing('group', id, ctx.cinder().client.updateGroup(ctx.caller, id, body));
    return rereadGroup(ctx, id, waitMs);
  },
  deleteGroup: async (_, { input }, ctx) => {
    const { id, waitMs } = groupChecks.deleteGroup(input);
    const args = { 'delete-volumes': input.deleteVolumes ?? false };
    await writing('group', id, ctx.cinder().client.groupAction(ctx.caller, id, 'delete', args));
    return { id, ...(await rereadGroup(ctx, id, waitMs)) };
  },
  resetGroupStatus: async (_, { input }, ctx) => {
    const { id, status } = groupChecks.resetGroupStatus(input);
    await writing('group', id, ctx.cinder().client.groupAction(ctx.caller, id, 'reset_status', { status }, 'groupReset'));
    return { group: (await rereadGroup(ctx, id, null)).group };
  },
};
