import type { SimResponse } from '../server.js';
import { authorizeController, type Policy } from './policy.js';
import { NOT_FOUND_TEXT, entity, fault, isDict, pySet, reply, str, type Ctx } from './wire.js';

/** `POST …/{id}/action` for the admin actions (`AdminActionsMixin` in manila/api/openstack/wsgi.py). */

// Python set order is not stable; this is one order Manila can print.
export const VALID_RESET_STATUSES = [
  'creating', 'available', 'deleting', 'error', 'error_deleting', 'migrating', 'migrating_to', 'server_migrating',
] as const;

export interface AdminActionSpec {
  /** The controller's `resource_name`: the policy is `<resource>:reset_status` or `<resource>:force_delete`. */
  resource: 'share' | 'share_group' | 'share_group_snapshot' | 'consistency_group' | 'cgsnapshot';
  /** Action keys this controller registers, and what they do. */
  actions: Record<string, 'reset' | 'force'>;
  /** Version/experimental check for the chosen action; a response means "no such method at this version". */
  gate: (ctx: Ctx, action: string) => SimResponse | undefined;
  exists: (id: string) => boolean;
  setStatus: (id: string, status: string) => void;
  forceDelete: (id: string) => void;
}

export function adminAction(ctx: Ctx, id: string, spec: AdminActionSpec): SimResponse {
  const body = ctx.req.body;
  // action_peek: exactly one top-level key, else the body is "malformed".
  if (!isDict(body) || Object.keys(body).length !== 1) return fault(ctx, 400, 'Malformed request body');
  const action = Object.keys(body)[0] as string;
  const kind = spec.actions[action];
  if (!kind) return fault(ctx, 400, `There is no such action: ${action}`);
  const denied = spec.gate(ctx, action);
  if (denied) return denied;
  // `@Controller.authorize('reset_status' | 'force_delete')` runs before the body is read.
  const policy = `${spec.resource}:${kind === 'force' ? 'force_delete' : 'reset_status'}` as Policy;
  const refused = authorizeController(ctx, policy);
  if (refused) return refused;
  if (kind === 'force') {
    // HTTPNotFound(e.message) sets the detail, not the explanation, so the generic text is what is sent.
    if (!spec.exists(id)) return fault(ctx, 404, NOT_FOUND_TEXT);
    spec.forceDelete(id);
    return reply(ctx, 202);
  }
  const args = body[action];
  if (!isDict(args) || !('status' in args)) return fault(ctx, 400, "Must specify 'status'");
  const status = args.status;
  if (typeof status !== 'string' || !(VALID_RESET_STATUSES as readonly string[]).includes(status)) {
    return fault(ctx, 400, `Invalid state. Valid states: ${VALID_RESET_STATUSES.join(', ')}.`);
  }
  if (!spec.exists(id)) return fault(ctx, 404, NOT_FOUND_TEXT);
  spec.setStatus(id, status);
  return reply(ctx, 202);
}

/**
 * PUT of a share group or share group snapshot: only `name` and `description` may change (400 otherwise, with
 * Manila's message), applied to the row found by `find`; 404 when it does not exist.
 */
export function updateNameDescription<T extends { name: string | null; description: string | null }>(
  ctx: Ctx,
  key: 'share_group' | 'share_group_snapshot',
  find: () => T | undefined,
  notFound: () => SimResponse,
  view: (row: T) => unknown,
): SimResponse {
  const data = entity(ctx.req.body, key);
  if (!data) return fault(ctx, 400, `'${key}' is missing from the request body.`);
  const invalid = Object.keys(data).filter((k) => k !== 'name' && k !== 'description');
  if (invalid.length > 0) return fault(ctx, 400, `The fields ${pySet(invalid)} are invalid or not allowed to be updated.`);
  const row = find();
  if (!row) return notFound();
  if ('name' in data) row.name = str(data.name);
  if ('description' in data) row.description = str(data.description);
  return reply(ctx, 200, { [key]: view(row) });
}
