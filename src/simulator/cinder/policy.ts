// Cinder Zed's default policies with `enforce_new_defaults = true` (cinder/policies/*.py, base.py) and the
// non-admin filter check of cinder/api/common.py `reject_invalid_filters` (resource_filters.json).
import { type Caller, hasRole } from '../identity.js';
import type { Ctx } from './context.js';
import { CinderFault, badRequest } from './wire.js';

/**
 * - admin_api: `is_admin:True or (role:admin and is_admin_project:True)`; is_admin comes from `role:admin`.
 * - reader: `xena_system_admin_or_project_reader` = `role:admin or (role:reader and project_id:%(project_id)s)`.
 * - member: `xena_system_admin_or_project_member` = `role:admin or (role:member and project_id:%(project_id)s)`.
 */
type Rule = 'admin_api' | 'reader' | 'member';

const RULES = {
  'group:create': 'member',
  'group:update': 'member',
  'group:delete': 'member',
  'group:reset_status': 'admin_api',
  'group:enable_replication': 'member',
  'group:disable_replication': 'member',
  'group:failover_replication': 'member',
  'group:list_replication_targets': 'member',
  'group:group_project_attribute': 'admin_api',
  'group:create_group_snapshot': 'member',
  'group:delete_group_snapshot': 'member',
  'group:reset_group_snapshot_status': 'admin_api',
  'group:group_snapshot_project_attribute': 'admin_api',
  'group:group_types:create': 'admin_api',
  'group:group_types:update': 'admin_api',
  'group:group_types:delete': 'admin_api',
  'group:access_group_types_specs': 'admin_api',
  'group:group_types_specs:get': 'admin_api',
  'group:group_types_specs:get_all': 'admin_api',
  'group:group_types_specs:create': 'admin_api',
  'group:group_types_specs:update': 'admin_api',
  'group:group_types_specs:delete': 'admin_api',
  'volume:get_all_snapshots': 'reader',
  'volume:get_snapshot': 'reader',
  'volume_extension:extended_snapshot_attributes': 'reader',
  'volume_extension:quotas:show': 'reader',
  'volume_extension:quotas:update': 'admin_api',
  'volume:create': 'member',
  'volume:delete': 'member',
  'volume_extension:volume_admin_actions:reset_status': 'admin_api',
  'volume_extension:volume_host_attribute': 'admin_api',
  'volume_extension:volume_mig_status_attribute': 'admin_api',
  'volume_extension:type_create': 'admin_api',
  'volume_extension:types_extra_specs:read_sensitive': 'admin_api',
  'volume_extension:access_types_qos_specs_id': 'admin_api',
  'volume_extension:volume_type_access': 'member',
} as const satisfies Record<string, Rule>;

export type Policy = keyof typeof RULES;

function allows(c: Caller, rule: Rule, targetProject: string): boolean {
  if (c.isAdmin) return true;
  if (rule === 'admin_api') return false;
  return hasRole(c, rule) && c.projectId === targetProject;
}

/** `context.authorize(policy, fatal=False)`; the target defaults to the caller's own project. */
export function can(ctx: Ctx, policy: Policy, targetProject: string = ctx.caller.projectId): boolean {
  return allows(ctx.caller, RULES[policy], targetProject);
}

/** `context.authorize(policy, target_obj=…)`: PolicyNotAuthorized → 403 with Cinder's text. */
export function authorize(ctx: Ctx, policy: Policy, targetProject: string = ctx.caller.projectId): void {
  if (!can(ctx, policy, targetProject)) {
    throw new CinderFault(403, `Policy doesn't allow ${policy} to be performed.`);
  }
}

/** etc/cinder/resource_filters.json as shipped in cinder-common 21.x (the part the simulator serves). */
export const RESOURCE_FILTERS: Record<string, readonly string[]> = {
  volume: [
    'name', 'status', 'metadata', 'bootable', 'migration_status', 'availability_zone', 'group_id', 'size',
    'created_at', 'updated_at', 'consumes_quota',
  ],
  snapshot: ['name', 'status', 'volume_id', 'metadata', 'availability_zone', 'consumes_quota'],
  group: ['name'],
  group_snapshot: ['name', 'status', 'group_id'],
  volume_type: ['is_public', 'extra_specs'],
};

/**
 * `reject_invalid_filters` (3.31+): admins may filter on anything; anyone else only on the resource's
 * configured keys (`key~` too from 3.34 when `key~` is configured), else 400 naming the offenders in query
 * order. `all_tenants` is the exception (bug 1917574): dropped from `filters` without an error.
 */
export function rejectInvalidFilters(ctx: Ctx, filters: Map<string, string>, resource: string): void {
  for (const key of filters.keys()) {
    if (!/^[\x00-\x7f]*$/.test(key)) throw badRequest('Filter keys can only contain ASCII characters.');
  }
  if (ctx.caller.isAdmin) return;
  const configured = RESOURCE_FILTERS[resource] ?? [];
  const like = ctx.mv >= 34;
  const invalid = [...filters.keys()].filter((k) => !(configured.includes(k) || (like && configured.includes(`${k}~`))));
  const i = invalid.indexOf('all_tenants');
  if (i !== -1) {
    invalid.splice(i, 1);
    filters.delete('all_tenants');
  }
  if (invalid.length > 0) throw badRequest(`Invalid filters ${invalid.join(',')} are found in query options.`);
}

/** `remove_invalid_filter_options` (volumes below 3.31): a non-admin's other options are silently dropped. */
export function removeInvalidFilterOptions(ctx: Ctx, filters: Map<string, string>, allowed: readonly string[]): void {
  if (ctx.caller.isAdmin) return;
  for (const k of [...filters.keys()]) if (!allowed.includes(k)) filters.delete(k);
}
