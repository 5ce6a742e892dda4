import type {
  CreateConsistencyGroupInput,
  DeleteConsistencyGroupInput,
  ForceDeleteConsistencyGroupInput,
  MutationResolvers,
  ResetConsistencyGroupStatusInput,
  UpdateConsistencyGroupInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { wireValue } from '../../../graphql/scalars.js';
import { assertUuid, optionalUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { rereadUntilSettled, writeWaitMillis } from '../../../live/writeOutcome.js';
import { writing } from '../../../live/afterWrite.js';
import { explainFailure } from './upstreamHints.js';

// Every call below goes through ManilaConsistencyGroups, which answers NOT_SUPPORTED on a Manila of 2.31+
// before sending anything.

/** Forget it and read it again from Manila, again while it is transitional for up to `waitMs`. */
async function reread(ctx: RequestContext, id: string, waitMs: number | null) {
  const { loaders } = ctx.manila();
  const fresh = () => {
    loaders.forgetConsistencyGroup(id);
    return nullIfNotFound(loaders.consistencyGroupById.load(id));
  };
  const { value, settled } = await rereadUntilSettled(ctx.caller, 'consistencyGroup', fresh, waitMs);
  return { consistencyGroup: value, settled };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const consistencyGroupChecks = {
  createConsistencyGroup: (input: CreateConsistencyGroupInput) => {
    const types = input.shareTypeIds ?? [];
    const source = optionalUuid(input.sourceSnapshotId, 'sourceSnapshotId');
    if ((types.length > 0) === (source !== undefined)) {
      throw new InputError('Give exactly one of shareTypeIds (at least one) and sourceSnapshotId.');
    }
    if (source && input.shareNetworkId) {
      throw new InputError('shareNetworkId is inherited from the source snapshot; leave it out.');
    }
    const waitMs = writeWaitMillis(input.waitSeconds);
    const body: Record<string, unknown> = {
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      share_network_id: optionalUuid(input.shareNetworkId, 'shareNetworkId'),
      ...(source ? { source_cgsnapshot_id: source } : { share_types: types.map((t) => assertUuid(t, 'shareTypeIds')) }),
    };
    return { source, waitMs, body };
  },
  updateConsistencyGroup: (input: UpdateConsistencyGroupInput) => {
    const id = assertUuid(input.id);
    const body = { name: optionalNotBlank(input.name, 'name'), description: input.description ?? undefined };
    if (body.name === undefined && body.description === undefined) {
      throw new InputError('updateConsistencyGroup needs at least one of name and description.');
    }
    return { id, body };
  },
  deleteConsistencyGroup: (input: DeleteConsistencyGroupInput) => ({ id: assertUuid(input.id), waitMs: writeWaitMillis(input.waitSeconds) }),
  resetConsistencyGroupStatus: (input: ResetConsistencyGroupStatusInput) => {
    const id = assertUuid(input.id);
    if (input.status === 'UNKNOWN') throw new InputError('A consistency group status cannot be reset to UNKNOWN.');
    return { id, status: wireValue(input.status, 'snake') };
  },
  forceDeleteConsistencyGroup: (input: ForceDeleteConsistencyGroupInput) => ({ id: assertUuid(input.id) }),
};

export const consistencyGroupMutations: MutationResolvers = {
  createConsistencyGroup: async (_, { input }, ctx) => {
    const { source, waitMs, body } = consistencyGroupChecks.createConsistencyGroup(input);
    const created = await explainFailure(ctx.manila().cg.create(ctx.caller, body), {
      NOT_FOUND: source ? `Consistency group snapshot ${source} does not exist.` : 'A share type or share network given does not exist.',
    });
    return { id: created.id, ...(await reread(ctx, created.id, waitMs)) };
  },
  updateConsistencyGroup: async (_, { input }, ctx) => {
    const { id, body } = consistencyGroupChecks.updateConsistencyGroup(input);
    await writing('consistencyGroup', id, ctx.manila().cg.update(ctx.caller, id, body));
    return { consistencyGroup: (await reread(ctx, id, null)).consistencyGroup };
  },
  deleteConsistencyGroup: async (_, { input }, ctx) => {
    const { id, waitMs } = consistencyGroupChecks.deleteConsistencyGroup(input);
    await explainFailure(writing('consistencyGroup', id, ctx.manila().cg.delete(ctx.caller, id)), {
      CONFLICT: `Consistency group ${id} cannot be deleted now: it must be AVAILABLE or ERROR and hold no shares and no snapshots.`,
    });
    return { id, ...(await reread(ctx, id, waitMs)) };
  },
  resetConsistencyGroupStatus: async (_, { input }, ctx) => {
    const { id, status } = consistencyGroupChecks.resetConsistencyGroupStatus(input);
    await writing('consistencyGroup', id, ctx.manila().cg.action(ctx.caller, id, 'reset_status', { status }));
    return { consistencyGroup: (await reread(ctx, id, null)).consistencyGroup };
  },
  forceDeleteConsistencyGroup: async (_, { input }, ctx) => {
    const { id } = consistencyGroupChecks.forceDeleteConsistencyGroup(input);
    await writing('consistencyGroup', id, ctx.manila().cg.action(ctx.caller, id, 'force_delete', null));
    return { id, consistencyGroup: (await reread(ctx, id, null)).consistencyGroup };
  },
};
