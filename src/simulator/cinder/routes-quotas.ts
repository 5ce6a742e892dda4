// A project's quotas (cinder/api/contrib/quotas.py: show with `?usage=True`, update for admins) and the
// availability zones (contrib/availability_zones.py, volume/api.py list_availability_zones). There is no
// group-snapshot quota in Cinder: GROUP_QUOTAS holds `groups` only, and a group snapshot's volume snapshots count
// against `snapshots` and `gigabytes`.
import { type Ctx, type Route, ok } from './context.js';
import { authorize } from './policy.js';
import { DEFAULT_QUOTAS } from './state.js';
import { badRequest, envelope, pyRepr, schemaFault, truthy } from './wire.js';

/** NON_QUOTA_KEYS: accepted in an update body and ignored. */
const NON_QUOTA_KEYS = ['tenant_id', 'id'];

function quotaKeys(ctx: Ctx): Set<string> {
  const keys = new Set(Object.keys(DEFAULT_QUOTAS));
  for (const t of ctx.state.volumeTypes.values()) {
    for (const k of ['volumes', 'gigabytes', 'snapshots']) keys.add(`${k}_${t.name}`);
  }
  return keys;
}

function showQuotas(ctx: Ctx, projectId: string) {
  authorize(ctx, 'volume_extension:quotas:show', projectId);
  const usage = ctx.state.quotaUsage(projectId);
  // Without usage=True the set holds the limits alone.
  const usages = truthy(ctx.query.get('usage'));
  const set: Record<string, unknown> = usages ? { ...usage } : Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v.limit]));
  set.id = projectId;
  return ok({ quota_set: set });
}

function updateQuotas(ctx: Ctx, projectId: string) {
  const body = envelope(ctx.req.body, 'quota_set', null, []);
  if (Object.keys(body).length === 0) throw schemaFault('quota_set', body, `${pyRepr(body)} does not have enough properties`);
  const known = quotaKeys(ctx);
  const bad = Object.keys(body).filter((k) => !known.has(k) && !NON_QUOTA_KEYS.includes(k));
  if (bad.length > 0) throw badRequest(`Invalid input received: Bad key(s) in quota set: ${bad.join(', ')}`);
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(body)) {
    if (NON_QUOTA_KEYS.includes(k)) continue;
    const n = typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) throw badRequest(`Invalid input received: ${k} must be an integer.`);
    if (n < -1) throw badRequest(`Invalid input received: ${k} must be >= -1`);
    values[k] = n;
  }
  authorize(ctx, 'volume_extension:quotas:update', projectId);
  const usage = ctx.state.quotaUsage(projectId);
  for (const [k, n] of Object.entries(values)) {
    const used = (usage[k]?.in_use ?? 0) + (usage[k]?.reserved ?? 0);
    if (k !== 'per_volume_gigabytes' && n !== -1 && n < used) {
      throw badRequest(
        `Quota ${k} limit must be equal or greater than existing resources. Current usage is ${used} and the requested limit is ${n}.`,
      );
    }
  }
  ctx.state.quotaLimits.set(projectId, { ...ctx.state.quotaLimits.get(projectId), ...values });
  const limits = Object.fromEntries(Object.entries(ctx.state.quotaUsage(projectId)).map(([k, v]) => [k, v.limit]));
  return ok({ quota_set: limits });
}

export const quotaRoutes: Route[] = [
  { method: 'GET', path: ['os-quota-sets', ':id'], handle: (ctx, p) => showQuotas(ctx, p.id as string) },
  { method: 'PUT', path: ['os-quota-sets', ':id'], handle: (ctx, p) => updateQuotas(ctx, p.id as string) },
  {
    method: 'GET',
    path: ['os-availability-zone'],
    handle: (ctx) =>
      ok({
        availabilityZoneInfo: ctx.state.zones.map((z) => ({ zoneName: z.name, zoneState: { available: z.available } })),
      }),
  },
];
