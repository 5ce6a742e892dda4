// Volume types (cinder/api/v2/types.py + contrib/types_manage.py), and the list and body helpers group types share
// (routes-group-types.ts). Types are global; creates (admin only) exist so tests can build fixtures.
import { type Ctx, type Route, ok } from './context.js';
import { nextLinks, parseListParams, runList } from './paging.js';
import { authorize } from './policy.js';
import type { GroupTypeRow, VolumeTypeRow } from './state.js';
import { groupTypeView, volumeTypeView } from './views.js';
import { CinderFault, checkType, envelope, isObject, notFound, optionalText, pyRepr, schemaFault, truthy } from './wire.js';
import { setOwn } from '../own.js';

const TYPE_COLUMNS = new Set(['id', 'name', 'description', 'is_public', 'created_at', 'updated_at', 'deleted', 'deleted_at']);
const BOOL_STRINGS = ['true', 'false', '1', '0', 'on', 'off', 'yes', 'no', 'y', 'n', 't', 'f'];

/**
 * `is_public` query (`_parse_is_public`): public types only unless an admin asks for `none` (every type) or
 * `false`; without the parameter an admin too gets the public ones. Anyone else gets public ones whatever is sent.
 */
function publicFilter(ctx: Ctx): boolean | null {
  if (!ctx.caller.isAdmin) return true;
  const v = ctx.query.get('is_public');
  if (v === null) return true;
  if (v.toLowerCase() === 'none') return null;
  return truthy(v);
}

export function listTypes<T extends { id: string; is_public: boolean; created_at: string }>(
  ctx: Ctx,
  rows: Iterable<T>,
  requireMarker: (id: string) => T,
): T[] {
  const p = parseListParams(ctx.query);
  // Only is_public filters type lists; other query parameters are ignored.
  p.filters.clear();
  const isPublic = publicFilter(ctx);
  const items = [...rows].filter((t) => isPublic === null || t.is_public === isPublic);
  return runList<T>(
    {
      items,
      columns: TYPE_COLUMNS,
      value: (t, c) => (c === 'deleted' ? false : (t as unknown as Record<string, unknown>)[c] ?? null),
      requireMarker,
    },
    p,
  ).page;
}

export function checkName(obj: Record<string, unknown>): string {
  if (!('name' in obj)) throw schemaFault(null, obj, "'name' is a required property");
  checkType('name', obj.name, ['string']);
  const name = (obj.name as string).trim();
  if (name.length === 0) throw new CinderFault(400, "An invalid 'name' value was provided. The 'name' can not be empty.");
  if (name.length > 255) throw schemaFault('name', obj.name, `${pyRepr(obj.name)} is too long`);
  return name;
}

export function checkSpecs(key: string, specs: unknown): Record<string, string> {
  if (specs === undefined || specs === null) return {};
  checkType(key, specs, ['object']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(specs as Record<string, unknown>)) {
    checkType(k, v, ['string']);
    setOwn(out, k, v as string);
  }
  return out;
}

export function publicFlag(v: unknown, key: string): boolean {
  if (v === undefined) return true;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && BOOL_STRINGS.includes(v.toLowerCase())) return truthy(v);
  throw schemaFault(key, v, `${pyRepr(v)} is not one of the valid boolean values`);
}

function createVolumeType(ctx: Ctx) {
  const body = envelope(
    ctx.req.body,
    'volume_type',
    ['name', 'description', 'extra_specs', 'os-volume-type-access:is_public'],
    [],
  );
  const name = checkName(body);
  const description = optionalText(body, 'description');
  const specs = checkSpecs('extra_specs', body.extra_specs);
  const isPublic = publicFlag(body['os-volume-type-access:is_public'], 'os-volume-type-access:is_public');
  authorize(ctx, 'volume_extension:type_create');
  if ([...ctx.state.volumeTypes.values()].some((t) => t.name === name)) {
    throw new CinderFault(409, `Volume Type ${name} already exists.`);
  }
  const t = ctx.state.addVolumeType({ name, description: description ?? null, extra_specs: specs, is_public: isPublic });
  // No @wsgi.response decorator on types_manage._create: 200, not 201/202.
  return ok({ volume_type: volumeTypeView(ctx, t) });
}

// Read as the caller: a private type is not found by a non-admin (no project access lists are simulated).
function volumeTypeFor(ctx: Ctx, id: string): VolumeTypeRow {
  if (id === 'default') {
    const def = ctx.state.defaultVolumeTypeId;
    if (!def || !ctx.state.volumeTypes.has(def)) throw notFound('Default volume type can not be found.');
    return ctx.state.requireVolumeType(def, ctx.caller);
  }
  return ctx.state.requireVolumeType(id, ctx.caller);
}

export const typeRoutes: Route[] = [
  {
    method: 'GET',
    path: ['types'],
    handle: (ctx) => {
      const page = listTypes(ctx, ctx.state.volumeTypes.values(), (id) => ctx.state.requireVolumeType(id, ctx.caller));
      const out: Record<string, unknown> = { volume_types: page.map((t) => volumeTypeView(ctx, t)) };
      const links = nextLinks(ctx.linkBase, 'types', ctx.query, page);
      if (links) out.volume_type_links = links;
      return ok(out);
    },
  },
  { method: 'POST', path: ['types'], handle: createVolumeType },
  {
    method: 'GET',
    path: ['types', ':id'],
    handle: (ctx, p) => ok({ volume_type: volumeTypeView(ctx, volumeTypeFor(ctx, p.id as string)) }),
  },
];
