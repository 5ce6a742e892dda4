import type { MutationResolvers } from '../../../generated/graphql.js';
import { InputError } from '../../../errors.js';
import { assertNotBlank, assertUuid, optionalNotBlank } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';

// Group type administration: admin-only in Cinder's policy, so anyone else gets Cinder's 403 as FORBIDDEN.

/**
 * Cinder's group spec key rule (api/schemas/group_specs.py); checked before a key reaches a URL or a body. Not `.`
 * or `..`: an unset would send it as a dot segment of its DELETE's path.
 */
const SPEC_KEY = /^(?!\.{1,2}$)[a-zA-Z0-9_:.-]{1,255}$/;

function specKey(key: string): string {
  if (!SPEC_KEY.test(key)) {
    throw new InputError(`Invalid group spec key ${JSON.stringify(key.slice(0, 40))}: letters, digits and -_:. only, 1-255 characters, not only dots.`);
  }
  return key;
}

function specs(list: readonly { key: string; value: string }[], what: string): Record<string, string> {
  // No prototype: on a plain object `out.__proto__ = v` sets the prototype, and the key never reached Cinder.
  const out = Object.create(null) as Record<string, string>;
  for (const { key, value } of list) {
    if (Object.hasOwn(out, specKey(key))) throw new InputError(`${what} names the key ${JSON.stringify(key)} twice.`);
    out[key] = value;
  }
  return out;
}

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
    return { groupType: await reread(ctx, created.id) };
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
    const keys = [...new Set(input.keys.map(specKey))];
    // One DELETE per key (Cinder has no bulk unset), in order: the first key Cinder refuses stops the rest.
    for (const key of keys) await ctx.cinder().client.groupTypeAdmin.unsetSpec(ctx.caller, id, key);
    return { groupType: await reread(ctx, id) };
  },
};
