import type {
  CreateGroupTypeInput,
  DeleteGroupTypeInput,
  MutationResolvers,
  SetGroupTypeSpecsInput,
  UnsetGroupTypeSpecsInput,
  UpdateGroupTypeInput,
} from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { assertNotBlank, assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import { readAfterWrite } from '../../../live/writeOutcome.js';
import type { RequestContext } from '../../../context.js';
import { specKey, specs, unsetSpecs } from './groupSpecs.js';

// Group type administration: admin-only in Cinder's policy, so anyone else gets Cinder's 403 as FORBIDDEN.

/** Forget what this request knew about a group type, then read it again from Cinder; a failure is the field's error. */
async function reread(ctx: RequestContext, id: string) {
  const { loaders } = ctx.cinder();
  const { value } = await readAfterWrite(() => {
    loaders.forgetGroupType(id);
    return nullIfNotFound(loaders.groupTypeById.load(id));
  });
  return { groupType: value };
}

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const groupTypeChecks = {
  createGroupType: (input: CreateGroupTypeInput) => ({
    name: assertNotBlank(input.name, 'name'),
    description: input.description ?? undefined,
    is_public: input.isPublic ?? true,
    group_specs: input.groupSpecs ? specs(input.groupSpecs, 'groupSpecs') : undefined,
  }),
  updateGroupType: (input: UpdateGroupTypeInput) => {
    const id = assertUuid(input.id);
    const body = {
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      is_public: input.isPublic ?? undefined,
    };
    if (Object.values(body).every((v) => v === undefined)) {
      throw new InputError('updateGroupType needs at least one of name, description, isPublic.');
    }
    return { id, body };
  },
  deleteGroupType: (input: DeleteGroupTypeInput) => ({ id: assertUuid(input.id) }),
  setGroupTypeSpecs: (input: SetGroupTypeSpecsInput) => {
    const id = assertUuid(input.id);
    if (input.specs.length === 0) throw new InputError('setGroupTypeSpecs needs at least one spec.');
    return { id, specs: specs(input.specs, 'specs') };
  },
  unsetGroupTypeSpecs: (input: UnsetGroupTypeSpecsInput) => {
    const id = assertUuid(input.id);
    if (input.keys.length === 0) throw new InputError('unsetGroupTypeSpecs needs at least one key.');
    return { id, keys: [...new Set(input.keys.map(specKey))] };
  },
};

export const groupTypeMutations: MutationResolvers = {
  createGroupType: async (_, { input }, ctx) => {
    const created = await ctx.cinder().client.groupTypeAdmin.create(ctx.caller, groupTypeChecks.createGroupType(input));
    return { id: created.id, ...(await reread(ctx, created.id)) };
  },
  updateGroupType: async (_, { input }, ctx) => {
    const { id, body } = groupTypeChecks.updateGroupType(input);
    await ctx.cinder().client.groupTypeAdmin.update(ctx.caller, id, body);
    return reread(ctx, id);
  },
  deleteGroupType: async (_, { input }, ctx) => {
    const { id } = groupTypeChecks.deleteGroupType(input);
    await ctx.cinder().client.groupTypeAdmin.delete(ctx.caller, id);
    return { id, ...(await reread(ctx, id)) };
  },
  setGroupTypeSpecs: async (_, { input }, ctx) => {
    const { id, specs } = groupTypeChecks.setGroupTypeSpecs(input);
    await ctx.cinder().client.groupTypeAdmin.setSpecs(ctx.caller, id, specs);
    return reread(ctx, id);
  },
  unsetGroupTypeSpecs: async (_, { input }, ctx) => {
    const { id, keys } = groupTypeChecks.unsetGroupTypeSpecs(input);
    await unsetSpecs(ctx, id, keys);
    return reread(ctx, id);
  },
};
