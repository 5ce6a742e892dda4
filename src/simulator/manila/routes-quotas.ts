import type { SimResponse } from '../server.js';
import { AVAILABILITY_ZONE, type ManilaState } from './state.js';
import { atLeast, fault, isDict, reply, versionNotFound, type Ctx } from './wire.js';
import { authorizeController } from './policy.js';

/** `/quota-sets` (manila/api/v2/quota_sets.py, views/quota_sets.py) and `/availability-zones` in Zed. */

// manila/quota.py: the [quota] defaults of a manila.conf that sets none.
export const DEFAULT_LIMITS: Readonly<Record<string, number>> = {
  shares: 50,
  gigabytes: 1000,
  snapshots: 50,
  snapshot_gigabytes: 1000,
  share_networks: 10,
  share_groups: 50,
  share_group_snapshots: 50,
  share_replicas: 100,
  replica_gigabytes: 1000,
  per_share_gigabytes: -1,
};

const NON_QUOTA_KEYS = new Set(['tenant_id', 'id', 'force', 'share_type']);

/** What the project holds now, as Manila's quota usages count it (rows being deleted still count). */
function usage(st: ManilaState, projectId: string): Record<string, number> {
  const shares = [...st.shares.values()].filter((s) => s.project_id === projectId);
  const count = (rows: Iterable<{ project_id: string }>) => [...rows].filter((r) => r.project_id === projectId).length;
  return {
    shares: shares.length,
    gigabytes: shares.reduce((n, s) => n + s.size, 0),
    share_networks: count(st.shareNetworks.values()),
    share_groups: count(st.shareGroups.values()),
    share_group_snapshots: count(st.shareGroupSnapshots.values()),
  };
}

function limits(st: ManilaState, projectId: string): Record<string, number> {
  return { ...DEFAULT_LIMITS, ...st.quotaLimits.get(projectId) };
}

/**
 * share/api.py create's quota reservation (after its size and protocol checks, before the share group's): the
 * per-share limit first, then `shares: 1, gigabytes: size`, gigabytes named first when both are over
 * (check_if_share_quotas_exceeded). A QuotaError: 413 overLimit, shown as '<exception class>: <message>'.
 */
export function shareQuotaRefusal(ctx: Ctx, size: number): SimResponse | undefined {
  const lim = limits(ctx.state, ctx.projectId);
  const used = usage(ctx.state, ctx.projectId);
  const over = (key: string, delta: number) => (lim[key] ?? -1) >= 0 && (lim[key] ?? -1) < (used[key] ?? 0) + delta;
  const perShare = lim.per_share_gigabytes ?? -1;
  if (perShare >= 0 && size > perShare) {
    return fault(ctx, 413, `ShareSizeExceedsLimit: Requested share size ${size} is larger than maximum allowed limit ${perShare}.`);
  }
  if (over('gigabytes', size)) {
    return fault(ctx, 413, 'ShareSizeExceedsAvailableQuota: Requested share exceeds allowed project/user or share type gigabytes quota.');
  }
  if (over('shares', 1)) {
    return fault(ctx, 413, `ShareLimitExceeded: Maximum number of shares allowed (${lim.shares}) either per project/user or share type quota is exceeded.`);
  }
  return undefined;
}

/** ViewBuilder.detail_list: the keys, in Manila's order, that this microversion shows. */
function view(ctx: Ctx, projectId: string, value: (key: string) => unknown): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  for (const k of ['shares', 'gigabytes', 'snapshots', 'snapshot_gigabytes']) v[k] = value(k);
  v.id = projectId;
  v.share_networks = value('share_networks');
  if (atLeast(ctx, '2.40')) {
    v.share_groups = value('share_groups');
    v.share_group_snapshots = value('share_group_snapshots');
  }
  if (atLeast(ctx, '2.53')) {
    v.share_replicas = value('share_replicas');
    v.replica_gigabytes = value('replica_gigabytes');
  }
  if (atLeast(ctx, '2.62')) v.per_share_gigabytes = value('per_share_gigabytes');
  return { quota_set: v };
}

/** `db.authorize_project_context`: a non-admin reads only its own project's quotas (HTTPForbidden(), default text). */
function authorizeProject(ctx: Ctx, projectId: string): SimResponse | undefined {
  return ctx.caller.isAdmin || projectId === ctx.projectId ? undefined : fault(ctx, 403, 'Access was denied to this resource.');
}

function show(ctx: Ctx, projectId: string, detail: boolean): SimResponse {
  const refused = authorizeController(ctx, 'quota_set:show') ?? authorizeProject(ctx, projectId);
  if (refused) return refused;
  const lim = limits(ctx.state, projectId);
  const used = usage(ctx.state, projectId);
  return reply(ctx, 200, view(ctx, projectId, (k) => (detail ? { limit: lim[k], in_use: used[k] ?? 0, reserved: 0 } : lim[k])));
}

function update(ctx: Ctx, projectId: string): SimResponse {
  const raw = isDict(ctx.req.body) ? ctx.req.body : {};
  const body = isDict(raw.quota_set) ? raw.quota_set : {};
  // QuotaSetsController.update checks the microversion's keys before `_update` authorizes.
  for (const [key, mv] of [['share_groups', '2.40'], ['share_group_snapshots', '2.40'], ['share_replicas', '2.53'], ['replica_gigabytes', '2.53']]) {
    if (!atLeast(ctx, mv as string) && body[key as string]) {
      return fault(ctx, 400, `'${key}' key is not supported by this microversion. Use ${mv} or greater microversion to be able to use '${key}' quotas.`);
    }
  }
  const refused = authorizeController(ctx, 'quota_set:update');
  if (refused) return refused;
  if (!Object.keys(DEFAULT_LIMITS).some((k) => body[k] !== undefined && body[k] !== null)) {
    return fault(ctx, 400, 'Must supply at least one quota field to update.');
  }
  const bad = Object.keys(body).filter((k) => !(k in DEFAULT_LIMITS) && !NON_QUOTA_KEYS.has(k));
  if (bad.length > 0) return fault(ctx, 400, `Bad key(s) ${bad.join(',')} in quota_set.`);
  const force = ['1', 't', 'true', 'on', 'y', 'yes'].includes(String(body.force ?? '').toLowerCase());
  const used = usage(ctx.state, projectId);
  const lim = limits(ctx.state, projectId);
  const next: Record<string, number> = {};
  for (const [key, v] of Object.entries(body)) {
    if (NON_QUOTA_KEYS.has(key) || (!v && v !== 0)) continue;
    const value = Number(v);
    if (!Number.isInteger(value)) return fault(ctx, 400, `Quota '${String(v)}' for ${key} should be integer.`);
    const inUse = used[key] ?? 0;
    if (!force && value >= 0 && (lim[key] ?? 0) >= 0 && inUse > value) {
      return fault(ctx, 400, `Quota value ${value} for ${key} is smaller than already used and reserved ${inUse}.`);
    }
    if (value < -1) return fault(ctx, 400, 'Quota limit must be -1 or greater.');
    next[key] = value;
  }
  ctx.state.quotaLimits.set(projectId, { ...ctx.state.quotaLimits.get(projectId), ...next });
  const after = limits(ctx.state, projectId);
  return reply(ctx, 200, view(ctx, projectId, (k) => after[k]));
}

export function routeQuotaSets(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [projectId, sub, extra] = rest;
  if (projectId === undefined || extra !== undefined) return undefined;
  // `quota-sets` is the 2.7+ URL (`os-quota-sets` before); `detail` exists from 2.25.
  if (!atLeast(ctx, '2.7')) return versionNotFound(ctx);
  if (sub === 'detail') return m === 'GET' ? (atLeast(ctx, '2.25') ? show(ctx, projectId, true) : versionNotFound(ctx)) : undefined;
  if (sub === 'defaults') return m === 'GET' ? (authorizeController(ctx, 'quota_set:show') ?? reply(ctx, 200, view(ctx, projectId, (k) => DEFAULT_LIMITS[k]))) : undefined;
  if (sub !== undefined) return undefined;
  if (m === 'GET') return show(ctx, projectId, false);
  if (m === 'PUT') return update(ctx, projectId);
  if (m === 'DELETE') {
    const refused = authorizeController(ctx, 'quota_set:delete');
    if (refused) return refused;
    ctx.state.quotaLimits.delete(projectId);
    return reply(ctx, 202);
  }
  return undefined;
}

/**
 * `GET /availability-zones` (2.7+; `os-availability-zone` below): the zones of enabled share services. The
 * simulated deployment runs one share service, in `nova`.
 */
export function routeAvailabilityZones(ctx: Ctx, rest: string[], legacyUrl: boolean): SimResponse | undefined {
  if (rest.length > 0 || ctx.req.method !== 'GET') return undefined;
  if (legacyUrl === atLeast(ctx, '2.7')) return versionNotFound(ctx);
  const refused = authorizeController(ctx, 'availability_zone:index');
  if (refused) return refused;
  const az = { id: AVAILABILITY_ZONE.id, name: AVAILABILITY_ZONE.name, created_at: AVAILABILITY_ZONE_CREATED, updated_at: null };
  return reply(ctx, 200, { availability_zones: [az] });
}

const AVAILABILITY_ZONE_CREATED = '2025-06-02T10:00:00.000000';
