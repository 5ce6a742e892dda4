// Manila Zed's default policies (manila/policies/*.py with enforce_new_defaults) and the two ways a refusal
// reaches the wire, plus the `project_only` reads that hide another project's rows from non-admins.
import type { SimResponse } from '../server.js';
import { hasRole } from '../identity.js';
import { fault, queryObject, type Ctx } from './wire.js';

/**
 * - admin: `rule:context_is_admin` = `role:admin` (in any project).
 * - reader: `(rule:context_is_admin) or (rule:project-reader)`, project-reader = `role:reader and project_id:%(project_id)s`.
 * - member: `(rule:context_is_admin) or (rule:project-member)`, project-member = `role:member and project_id:…`.
 */
type Rule = 'admin' | 'reader' | 'member';

const RULES = {
  'share_group:create': 'member',
  'share_group:update': 'member',
  'share_group:delete': 'member',
  'share_group:reset_status': 'admin',
  'share_group:force_delete': 'admin',
  'share_group_snapshot:create': 'member',
  'share_group_snapshot:update': 'member',
  'share_group_snapshot:delete': 'member',
  'share_group_snapshot:reset_status': 'admin',
  'share_group_snapshot:force_delete': 'admin',
  'share_group_type:create': 'admin',
  'share_group_type:delete': 'admin',
  'share_group_type:list_project_access': 'admin',
  'share_group_type:add_project_access': 'admin',
  'share_group_type:remove_project_access': 'admin',
  'share_group_types_spec:index': 'admin',
  'share_group_types_spec:show': 'admin',
  'share_group_types_spec:create': 'admin',
  'share_group_types_spec:update': 'admin',
  'share_group_types_spec:delete': 'admin',
  'quota_set:show': 'reader',
  'quota_set:update': 'admin',
  'quota_set:delete': 'admin',
  'availability_zone:index': 'reader',
  'share_type:create': 'admin',
  'share:create': 'member',
  'share:create_public_share': 'admin',
  'share:delete': 'member',
  'share:reset_status': 'admin',
  'share:force_delete': 'admin',
  'share:list_by_host': 'admin',
  'share_network:create': 'member',
  'share_network:delete': 'member',
  // Releases before Ocata (the `legacy` simulator): admin_api for the admin actions, `default` for the rest.
  'consistency_group:reset_status': 'admin',
  'consistency_group:force_delete': 'admin',
  'cgsnapshot:reset_status': 'admin',
  'cgsnapshot:force_delete': 'admin',
} as const satisfies Record<string, Rule>;

export type Policy = keyof typeof RULES;

export function can(ctx: Ctx, policy: Policy, targetProject: string = ctx.projectId): boolean {
  const c = ctx.caller;
  if (c.isAdmin) return true;
  const rule: Rule = RULES[policy];
  return rule !== 'admin' && hasRole(c, rule) && c.projectId === targetProject;
}

/**
 * `@wsgi.Controller.authorize` (the share group, share group snapshot, type and share create controllers): it
 * checks against the caller's own project and raises a bare `webob.exc.HTTPForbidden()`, so the message is
 * webob's default text, not the policy name.
 */
export function authorizeController(ctx: Ctx, policy: Policy): SimResponse | undefined {
  return can(ctx, policy) ? undefined : fault(ctx, 403, 'Access was denied to this resource.');
}

/** `policy.check_policy` in the API layer: PolicyNotAuthorized → ResourceExceptionHandler → 403 with its text. */
export function checkPolicy(ctx: Ctx, policy: Policy, targetProject?: string): SimResponse | undefined {
  return can(ctx, policy, targetProject) ? undefined : fault(ctx, 403, `Policy doesn't allow ${policy} to be performed.`);
}

/** `model_query(…, project_only=True)`: a non-admin finds only its own project's rows. */
export function own<T extends { project_id: string }>(ctx: Ctx, row: T | undefined): T | undefined {
  return row && (ctx.caller.isAdmin || row.project_id === ctx.projectId) ? row : undefined;
}

/**
 * Share groups and their snapshots (share_group/api.py get_all): `search_opts.pop('all_tenants', 0) and
 * context.is_admin`, so for an admin any non-empty value, `0` included, lists every project; a non-admin's is
 * silently ignored. `null` means every project.
 */
export function listScope(ctx: Ctx): string | null {
  const raw = queryObject(ctx.req.query).get('all_tenants');
  return ctx.caller.isAdmin && raw ? null : ctx.projectId;
}

/**
 * Shares and share networks (`utils.is_all_tenants`): a strict boolean where the bare `all_tenants` (empty) is
 * true; only evaluated for admins. Another value is InvalidInput(str(err)): 400 with strutils' text alone.
 */
export function strictAllTenants(ctx: Ctx): boolean | SimResponse {
  const raw = queryObject(ctx.req.query).get('all_tenants');
  if (!ctx.caller.isAdmin || raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === '' || ['1', 't', 'true', 'on', 'y', 'yes'].includes(v)) return true;
  if (['0', 'f', 'false', 'off', 'n', 'no'].includes(v)) return false;
  return fault(
    ctx,
    400,
    `Unrecognized value '${raw}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`,
  );
}

export const inScope = <T extends { project_id: string }>(rows: Iterable<T>, projectId: string | null): T[] =>
  [...rows].filter((r) => projectId === null || r.project_id === projectId);
