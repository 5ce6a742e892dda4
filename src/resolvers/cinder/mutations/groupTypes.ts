import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { assertNotBlank, assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { specKey, specs, unsetSpecs } from './groupSpecs.js';

// Group type administration: admin-only in Cinder's policy, so anyone else gets Cinder's 403 as FORBIDDEN.

/** Forget what this request knew about a group type, then read it again from Cinder. */
function reread(ctx: RequestContext, id: string) {
  const { loaders } = ctx.cinder();
  loaders.forgetGroupType(id);
  return nullIfNotFound(loaders.groupTypeById.load(id));
}

export const groupTypeMutations: MutationResolvers = {
  createGroupType: async (_, { input }, ctx) => {
    const created = await ctx.cinder().client.groupTypeAdmin.create(ctx.caller, {
      name: assertNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      is_public: input.isPublic ?? true,
      group_specs: input.groupSpecs ? specs(input.groupSpecs, 'groupSpecs') : undefined,
    });
    return { id: created.id, groupType: await reread(ctx, created.id) };
  },
  updateGroupType: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    const body = {
      name: optionalNotBlank(input.name, 'name'),
      description: input.description ?? undefined,
      is_public: input.isPublic ?? undefined,
    };
    if (Object.values(body).every((v) => v === undefined)) {
      throw new InputError('updateGroupType needs at least one of name, description, isPublic.');
    }
    await ctx.cinder().client.groupTypeAdmin.update(ctx.caller, id, body);
    return { groupType: await reread(ctx, id) };
  },
  deleteGroupType: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    await ctx.cinder().client.groupTypeAdmin.delete(ctx.caller, id);
    return { id, groupType: await reread(ctx, id) };
  },
  setGroupTypeSpecs: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    if (input.specs.length === 0) throw new InputError('setGroupTypeSpecs needs at least one spec.');
    await ctx.cinder().client.groupTypeAdmin.setSpecs(ctx.caller, id, specs(input.specs, 'specs'));
    return { groupType: await reread(ctx, id) };
  },
  unsetGroupTypeSpecs: async (_, { input }, ctx) => {
    const id = assertUuid(input.id);
    if (input.keys.length === 0) throw new InputError('unsetGroupTypeSpecs needs at least one key.');
    await unsetSpecs(ctx, id, [...new Set(input.keys.map(specKey))]);
    return { groupType: await reread(ctx, id) };
  },
};
