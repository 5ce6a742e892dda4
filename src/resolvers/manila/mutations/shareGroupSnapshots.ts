import type {
  CreateShareGroupSnapshotInput,
  DeleteShareGroupSnapshotInput,
  ForceDeleteShareGroupSnapshotInput,
  MutationResolvers,
  ResetShareGroupSnapshotStatusInput,
  UpdateShareGroupSnapshotInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { explainFailure } from './upstreamHints.js';

/** Forget it and read it again from Manila, again while it is transitional for up to `waitMs`. */
async function reread(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.manila();
  const fresh = () => {
    loaders.forgetShareGroupSnapshot(id);
    return nullIfNotFound(loaders.shareGroupSnapshotById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'shareGroupSnapshot', fresh, waitMs);
  return { shareGroupSnapshot: value, settled };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const shareGroupSnapshotChecks = {
  createShareGroupSnapshot: (input: CreateShareGroupSnapshotInput) => {
    const groupId = assertUuid(input.shareGroupId, 'shareGroupId');
    const waitMs = writeWaitMillis(input.waitSeconds);
    return { waitMs, body: { share_group_id: groupId, name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined } };
  },
  updateShareGroupSnapshot: (input: UpdateShareGroupSnapshotInput) => {
    const id = assertUuid(input.id);
    const body = { name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined };
    if (body.name === undefined && body.description === undefined) {
      throw new InputError('updateShareGroupSnapshot needs at least one of name and description.');
    }
    return { id, body };
  },
  deleteShareGroupSnapshot: (input: DeleteShareGroupSnapshotInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  forceDeleteShareGroupSnapshot: (input: ForceDeleteShareGroupSnapshotInput) => ({ id: assertUuid(input.id) }),
  resetShareGroupSnapshotStatus: (input: ResetShareGroupSnapshotStatusInput) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A share group snapshot status cannot be reset to UNKNOWN.');
    return { id, status: wireValue(input.status, 'snake') };
  },
};

export const shareGroupSnapshotMutations: MutationResolvers = {
  createShareGroupSnapshot: async (_, { input }, ctx) => {
    const { waitMs, body } = shareGroupSnapshotChecks.createShareGroupSnapshot(input);
    const groupId = body.share_group_id;
    const { client, loaders } = ctx.manila();
    // A missing group is a 400 on Manila, not a 404; the client maps it to NOT_FOUND.
    const created = await explainFailure(client.createShareGroupSnapshot(ctx.caller, body), {
      NOT_FOUND: `Share group ${groupId} does not exist.`,
      CONFLICT: `Share group ${groupId} cannot be snapshotted now: it and all its shares must be AVAILABLE.`,
    });
    loaders.forgetShareGroup(groupId);
    return { id: created.id, ...(await reread(ctx, created.id, waitMs)) };
  },
  updateShareGroupSnapshot: async (_, { input }, ctx) => {
    const { id, body } = shareGroupSnapshotChecks.updateShareGroupSnapshot(input);
    await writing('shareGroupSnapshot', id, ctx.manila().client.updateShareGroupSnapshot(ctx.caller, id, body));
    return { shareGroupSnapshot: (await reread(ctx, id, null)).shareGroupSnapshot };
  },
  deleteShareGroupSnapshot: async (_, { input }, ctx) => {
    const { id, waitMs } = shareGroupSnapshotChecks.deleteShareGroupSnapshot(input);
    await explainFailure(writing('shareGroupSnapshot', id, ctx.manila().client.deleteShareGroupSnapshot(ctx.caller, id)), {
      CONFLICT: `Share group snapshot ${id} cannot be deleted now: it must be AVAILABLE or ERROR.`,
    });
    return { id, ...(await reread(ctx, id, waitMs)) };
  },
  forceDeleteShareGroupSnapshot: async (_, { input }, ctx) => {
    const { id } = shareGroupSnapshotChecks.forceDeleteShareGroupSnapshot(input);
    // The admin action destroys the row at once, whatever the state: the re-read finds nothing.
    await writing('shareGroupSnapshot', id, ctx.manila().client.shareGroupSnapshotAction(ctx.caller, id, 'force_delete', null));
    return { id, shareGroupSnapshot: (await reread(ctx, id, null)).shareGroupSnapshot };
  },
  resetShareGroupSnapshotStatus: async (_, { input }, ctx) => {
    const { id, status } = shareGroupSnapshotChecks.resetShareGroupSnapshotStatus(input);
    await writing('shareGroupSnapshot', id, ctx.manila().client.shareGroupSnapshotAction(ctx.caller, id, 'reset_status', { status }));
    return { shareGroupSnapshot: (await reread(ctx, id, null)).shareGroupSnapshot };
  },
};
