import type {
  AddShareGroupTypeAccessInput,
  CreateShareGroupTypeInput,
  DeleteShareGroupTypeInput,
  MutationResolvers,
  RemoveShareGroupTypeAccessInput,
  SetShareGroupTypeSpecsInput,
  UnsetShareGroupTypeSpecsInput,
} from '../../../generated/graphql.js';
import { FacadeError, InputError, UpstreamError } from '../../../errors.js';
import { isObject } from '../../../upstreams/wire.js';
import { assertNotBlank, assertUuid } from '../../../ids.js';
import { nullIfNotFound } from '../../../upstreams/loaders.js';
import type { RequestContext } from '../../../context.js';
import { assertDistinct } from '../../distinct.js';
import { listed, madeButUnread, readAfterWrite, removeEach } from '../../../live/writeOutcome.js';

// Admin-only upstream (manila/policies/share_group_type.py, share_group_types_spec.py): the facade sends the call
// and Manila's 403 is the FORBIDDEN a member gets, so a policy that allows more is honoured.

/** Forget what this request knew about a share group type, then read it again; a failure is the field's error. */
async function reread(ctx: RequestContext, id: string) {
  const { loaders } = ctx.manila();
  const { value } = await readAfterWrite(() => {
    loaders.forgetShareGroupType(id);
    return nullIfNotFound(loaders.shareGroupTypeById.load(id));
  });
  return { shareGroupType: value };
}

// Manila: 1-255 characters of letters, digits, `_`, `.`, `:` and `-` (common.VALID_KEY_NAME_REGEX); not `.` or
// `..`, which an unset would send as a dot segment of its DELETE's path.
const SPEC_KEY = /^(?!\.{1,2}$)[\w.:-]{1,255}$/u;

function specName(key: string): string {
  if (!SPEC_KEY.test(key)) throw new InputError(`Invalid group spec name ${JSON.stringify(key.slice(0, 40))}: 1-255 letters, digits, _ . : or -, not only dots.`);
  return key;
}

function specs(list: readonly { key: string; value: string }[], what: string): Record<string, string> {
  if (list.length === 0) throw new InputError(`${what} needs at least one spec.`);
  // No prototype, and own keys only: `constructor` or `__proto__` are spec names like any other.
  const out = Object.create(null) as Record<string, string>;
  for (const { key, value } of list) {
    specName(key);
    if (value.length < 1 || value.length > 255) throw new InputError(`The value of group spec ${key} must be 1-255 characters.`);
    if (Object.hasOwn(out, key)) throw new InputError(`Group spec ${key} is given twice.`);
    out[key] = value;
  }
  return out;
}

/** Keystone project ids: 32 hex digits, dashes allowed (Manila wants them uuid-like). */
function projectId(id: string): string {
  if (!/^[0-9A-Fa-f-]{32,36}$/.test(id) || id.replace(/-/g, '').length !== 32) {
    throw new InputError(`Invalid projectId ${JSON.stringify(id.slice(0, 40))}: a project id is 32 hex digits (dashes allowed).`);
  }
  return id;
}

async function changeAccess(ctx: RequestContext, { id, project }: { id: string; project: string }, action: 'addProjectAccess' | 'removeProjectAccess') {
  const { groupTypes } = ctx.manila();
  await groupTypes.access(ctx.caller, id, action, project);
  // projectIds is non-null: unread, it takes the payload, and its error says the change was made.
  const accessRead = groupTypes.listAccess(ctx.caller, id).catch((err: unknown) => {
    throw madeButUnread(err);
  });
  const [type, access] = await Promise.all([reread(ctx, id), accessRead]);
  return { ...type, projectIds: access.map((a) => a.project_id) };
}

/** Manila removes one key per call: refuse names the type does not have before removing any (one fresh read of the type). */
async function requireSpecs(ctx: RequestContext, id: string, keys: readonly string[]): Promise<void> {
  const { loaders } = ctx.manila();
  // A copy read earlier in this request (before another unset of the same document) may hold keys removed since.
  loaders.forgetShareGroupType(id);
  const type = await loaders.shareGroupTypeById.load(id);
  if (!type) throw new FacadeError('NOT_FOUND', `Share group type ${id} does not exist (or is not visible to this project).`);
  const specs: unknown = type.group_specs;
  if (!isObject(specs)) throw new UpstreamError('UPSTREAM_ERROR', `Manila answered share group type ${id} without its group specs; nothing was removed.`, 'manila', 200, null, null);
  const missing = keys.filter((k) => !Object.hasOwn(specs, k));
  // NOT_FOUND, as for Cinder's group types: the key does not exist (the input itself is well formed).
  if (missing.length > 0) throw new FacadeError('NOT_FOUND', `Share group type ${id} has no group spec ${listed(missing)}; nothing was removed.`);
}

const accessChange = (input: AddShareGroupTypeAccessInput | RemoveShareGroupTypeAccessInput) => ({
  id: assertUuid(input.id),
  project: projectId(input.projectId),
});

/** What each mutation sends, or BAD_USER_INPUT: its checks that need no call, run again before a document runs (mutationPreflight.ts). */
export const shareGroupTypeChecks = {
  createShareGroupType: (input: CreateShareGroupTypeInput) => {
    if (assertNotBlank(input.name, 'name').length > 255) throw new InputError('name must be 1-255 characters.');
    if (input.shareTypeIds.length === 0) throw new InputError('shareTypeIds needs at least one share type.');
    return {
      name: input.name,
      share_types: assertDistinct(input.shareTypeIds.map((t) => assertUuid(t, 'shareTypeIds')), 'shareTypeIds', true),
      group_specs: input.groupSpecs?.length ? specs(input.groupSpecs, 'groupSpecs') : undefined,
      is_public: input.isPublic ?? true,
    };
  },
  deleteShareGroupType: (input: DeleteShareGroupTypeInput) => ({ id: assertUuid(input.id) }),
  setShareGroupTypeSpecs: (input: SetShareGroupTypeSpecsInput) => ({ id: assertUuid(input.id), specs: specs(input.specs, 'setShareGroupTypeSpecs') }),
  unsetShareGroupTypeSpecs: (input: UnsetShareGroupTypeSpecsInput) => {
    const id = assertUuid(input.id);
    const keys = [...new Set(input.keys)];
    if (keys.length === 0) throw new InputError('unsetShareGroupTypeSpecs needs at least one key.');
    for (const key of keys) specName(key);
    return { id, keys };
  },
  addShareGroupTypeAccess: accessChange,
  removeShareGroupTypeAccess: accessChange,
};

export const shareGroupTypeMutations: MutationResolvers = {
  createShareGroupType: async (_, { input }, ctx) => {
    const created = await ctx.manila().groupTypes.create(ctx.caller, shareGroupTypeChecks.createShareGroupType(input));
    return { id: created.id, ...(await reread(ctx, created.id)) };
  },
  deleteShareGroupType: async (_, { input }, ctx) => {
    const { id } = shareGroupTypeChecks.deleteShareGroupType(input);
    await ctx.manila().groupTypes.delete(ctx.caller, id);
    ctx.manila().loaders.forgetShareGroupType(id);
    return { id };
  },
  setShareGroupTypeSpecs: async (_, { input }, ctx) => {
    const { id, specs } = shareGroupTypeChecks.setShareGroupTypeSpecs(input);
    await ctx.manila().groupTypes.setSpecs(ctx.caller, id, specs);
    return reread(ctx, id);
  },
  unsetShareGroupTypeSpecs: async (_, { input }, ctx) => {
    const { id, keys } = shareGroupTypeChecks.unsetShareGroupTypeSpecs(input);
    await requireSpecs(ctx, id, keys);
    const { groupTypes, loaders } = ctx.manila();
    try {
      await removeEach(keys, 'group spec', (key) => groupTypes.unsetSpec(ctx.caller, id, key));
    } finally {
      // Keys removed before a failure are gone: nothing later in the request shows the copy requireSpecs read.
      loaders.forgetShareGroupType(id);
    }
    return reread(ctx, id);
  },
  addShareGroupTypeAccess: (_, { input }, ctx) => changeAccess(ctx, shareGroupTypeChecks.addShareGroupTypeAccess(input), 'addProjectAccess'),
  removeShareGroupTypeAccess: (_, { input }, ctx) => changeAccess(ctx, shareGroupTypeChecks.removeShareGroupTypeAccess(input), 'removeProjectAccess'),
};
