import { FacadeError, InputError } from '../../../errors.js';
import type { RequestContext } from '../../../context.js';
import { listed, removeEach } from '../../../live/writeOutcome.js';

/**
 * Cinder's group spec key rule (api/schemas/group_specs.py); checked before a key reaches a URL or a body. Not `.`
 * or `..`: an unset would send it as a dot segment of its DELETE's path.
 */
const SPEC_KEY = /^(?!\.{1,2}$)[a-zA-Z0-9_:.-]{1,255}$/;

export function specKey(key: string): string {
  if (!SPEC_KEY.test(key)) {
    throw new InputError(`Invalid group spec key ${JSON.stringify(key.slice(0, 40))}: letters, digits and -_:. only, 1-255 characters, not only dots.`);
  }
  return key;
}

export function specs(list: readonly { key: string; value: string }[], what: string): Record<string, string> {
  // No prototype: on a plain object `out.__proto__ = v` sets the prototype, and the key never reached Cinder.
  const out = Object.create(null) as Record<string, string>;
  for (const { key, value } of list) {
    if (Object.hasOwn(out, specKey(key))) throw new InputError(`${what} names the key ${JSON.stringify(key)} twice.`);
    out[key] = value;
  }
  return out;
}

/** Cinder removes one key per call: refuse keys the type does not have before removing any (one read of the type). */
async function requireSpecs(ctx: RequestContext, id: string, keys: readonly string[]): Promise<void> {
  const { loaders } = ctx.cinder();
  loaders.forgetGroupType(id);
  const type = await loaders.groupTypeById.load(id);
  if (!type) throw new FacadeError('NOT_FOUND', `Group type ${id} does not exist (or is not visible to this project).`);
  // Hidden from callers without group:access_group_types_specs; Cinder's own answer to the DELETE then decides.
  if (!type.group_specs) return;
  const missing = keys.filter((k) => !Object.hasOwn(type.group_specs!, k));
  if (missing.length > 0) throw new FacadeError('NOT_FOUND', `Group type ${id} has no group spec ${listed(missing)}; nothing was removed.`);
}

/**
 * Removes `keys` from group type `id`, each with its own DELETE, sent once, in order; the first failure stops the
 * rest. Whatever came of it, the request forgets the type it read first: the keys removed before a failure are gone.
 */
export async function unsetSpecs(ctx: RequestContext, id: string, keys: readonly string[]): Promise<void> {
  await requireSpecs(ctx, id, keys);
  const { client, loaders } = ctx.cinder();
  try {
    await removeEach(keys, 'group spec', (key) => client.groupTypeAdmin.unsetSpec(ctx.caller, id, key));
  } finally {
    loaders.forgetGroupType(id);
  }
}
