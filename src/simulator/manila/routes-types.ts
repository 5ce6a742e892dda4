import type { SimResponse } from '../server.js';
import { newId, type ShareTypeRow } from './state.js';
import { atLeast, entity, fault, isDict, reply, str, type Ctx } from './wire.js';
import { authorizeController } from './policy.js';

/** `/types` (share types): reads, plus creates for fixtures. Share group types: routes-group-types.ts. */

/** Only admins choose (`is_public`, `all`); everyone else lists public types. Types are global, not per project. */
export function parseIsPublic(ctx: Ctx): boolean | null | SimResponse {
  if (!ctx.caller.isAdmin) return true;
  const raw = ctx.req.query.get('is_public');
  if (raw === null) return true;
  const v = raw.toLowerCase();
  if (v === 'all') return null;
  if (['true', '1', 'yes', 'on', 'y', 't'].includes(v)) return true;
  if (['false', '0', 'no', 'off', 'n', 'f'].includes(v)) return false;
  return fault(ctx, 400, `Invalid is_public filter [${raw}]`);
}

/** `_share_type_get_query` for a non-admin: public types only (no project access lists are simulated). */
function visible<T extends { is_public: boolean }>(ctx: Ctx, t: T | undefined): T | undefined {
  return t && (t.is_public || ctx.caller.isAdmin) ? t : undefined;
}

function shareTypeView(ctx: Ctx, t: ShareTypeRow): Record<string, unknown> {
  const d: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    extra_specs: { ...t.extra_specs },
    required_extra_specs: { driver_handles_share_servers: t.extra_specs.driver_handles_share_servers ?? 'False' },
  };
  d[atLeast(ctx, '2.7') ? 'share_type_access:is_public' : 'os-share-type-access:is_public'] = t.is_public;
  if (atLeast(ctx, '2.41')) d.description = t.description;
  if (atLeast(ctx, '2.46')) d.is_default = ctx.state.defaultShareType()?.id === t.id;
  return d;
}

function createShareType(ctx: Ctx): SimResponse {
  const body = entity(ctx.req.body, 'share_type') ?? entity(ctx.req.body, 'volume_type');
  if (!body) return fault(ctx, 400, "'share_type' is missing from the request body.");
  const name = str(body.name);
  if (!name) return fault(ctx, 400, 'Share type name is not valid.');
  const specs = isDict(body.extra_specs) ? body.extra_specs : {};
  if (!('driver_handles_share_servers' in specs)) {
    return fault(ctx, 400, 'Invalid input received: Required extra specs: driver_handles_share_servers');
  }
  if ([...ctx.state.shareTypes.values()].some((t) => t.name === name)) {
    return fault(ctx, 409, `Share Type ${name} already exists.`);
  }
  const pub = body['share_type_access:is_public'] ?? body['os-share-type-access:is_public'];
  const row: ShareTypeRow = {
    id: newId(), name, description: str(body.description), is_public: pub === undefined ? true : Boolean(pub),
    extra_specs: Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, String(v)])),
  };
  ctx.state.shareTypes.set(row.id, row);
  const view = shareTypeView(ctx, row);
  return reply(ctx, 200, { share_type: view, volume_type: view });
}

export function routeShareTypes(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, extra] = rest;
  if (extra !== undefined) return undefined;
  const all = [...ctx.state.shareTypes.values()];
  if (id === undefined) {
    if (m === 'POST') return authorizeController(ctx, 'share_type:create') ?? createShareType(ctx);
    if (m !== 'GET') return undefined;
    const pub = parseIsPublic(ctx);
    if (typeof pub === 'object' && pub !== null) return pub;
    const items = all.filter((t) => pub === null || t.is_public === pub).map((t) => shareTypeView(ctx, t));
    return reply(ctx, 200, { share_types: items, volume_types: items });
  }
  if (m !== 'GET') return undefined;
  const t = visible(ctx, id === 'default' ? ctx.state.defaultShareType() : ctx.state.shareTypes.get(id));
  // Zed's wording for "the option is unset or names no type" (sic, no full stop).
  if (!t) return fault(ctx, 404, id === 'default' ? 'Default share type not found' : `Share type ${id} not found.`);
  const view = shareTypeView(ctx, t);
  return reply(ctx, 200, { share_type: view, volume_type: view });
}
