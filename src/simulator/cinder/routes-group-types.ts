// Group types and group specs (3.11+, cinder/api/v3/group_types.py + group_specs.py, group_types.py and the
// db layer's _type_update / group_type_destroy). Types are global; every write is admin-only (policies/group_types.py).
import { type Ctx, type Route, accepted, ok } from './context.js';
import { nextLinks } from './paging.js';
import { authorize } from './policy.js';
import { checkName, checkSpecs, listTypes, publicFlag } from './routes-types.js';
import type { GroupTypeRow } from './state.js';
import { groupTypeView } from './views.js';
import { CinderFault, badRequest, checkType, envelope, isObject, notFound, optionalText, pyRepr, schemaFault } from './wire.js';
import { setOwn } from '../own.js';

/** group_specs schema: keys of letters, digits and `-_:.` (1-255), values strings or null of at most 255. */
const SPEC_KEY = /^[a-zA-Z0-9-_:.]{1,255}$/;

function checkSpecEntries(path: string, obj: Record<string, unknown>): Record<string, string | null> {
  const bad = Object.keys(obj).filter((k) => !SPEC_KEY.test(k));
  if (bad.length > 0) {
    const verb = bad.length === 1 ? 'was' : 'were';
    throw schemaFault(path, obj, `Additional properties are not allowed (${bad.map(pyRepr).join(', ')} ${verb} unexpected)`);
  }
  for (const [k, v] of Object.entries(obj)) {
    checkType(k, v, ['string', 'null']);
    if (typeof v === 'string' && v.length > 255) throw schemaFault(k, v, `${pyRepr(v)} is too long`);
  }
  return obj as Record<string, string | null>;
}

function createGroupType(ctx: Ctx) {
  const body = envelope(ctx.req.body, 'group_type', ['name', 'description', 'is_public', 'group_specs'], []);
  const name = checkName(body);
  const description = optionalText(body, 'description');
  const specs = checkSpecs('group_specs', body.group_specs);
  const isPublic = publicFlag(body.is_public, 'is_public');
  authorize(ctx, 'group:group_types:create');
  if ([...ctx.state.groupTypes.values()].some((t) => t.name === name)) {
    throw new CinderFault(409, `Group Type ${name} already exists.`);
  }
  const t = ctx.state.addGroupType({ name, description: description ?? null, group_specs: specs, is_public: isPublic });
  return ok({ group_type: groupTypeView(ctx, t) }, 202);
}

function updateGroupType(ctx: Ctx, id: string) {
  const body = envelope(ctx.req.body, 'group_type', ['name', 'description', 'is_public'], []);
  let name: string | null = null;
  if ('name' in body && body.name !== null) {
    checkType('name', body.name, ['string', 'null']);
    name = body.name as string;
    if (name.length > 255) throw schemaFault('name', name, `${pyRepr(name)} is too long`);
  }
  const description = optionalText(body, 'description') ?? null;
  const isPublic = 'is_public' in body ? publicFlag(body.is_public, 'is_public') : null;
  authorize(ctx, 'group:group_types:update');
  if (name && name.trim().length === 0) throw badRequest('Group type name can not be empty.');
  if (name === null && description === null && isPublic === null) {
    throw badRequest('Specify group type name, description or a combination thereof.');
  }
  // _type_update: the name must stay unique, then the row must exist.
  if (name !== null && [...ctx.state.groupTypes.values()].some((t) => t.name === name && t.id !== id)) {
    throw new CinderFault(409, `Group Type ${name} already exists.`);
  }
  const t = ctx.state.groupTypes.get(id);
  if (!t) throw notFound(`Group type ${id} could not be found.`);
  if (name !== null) t.name = name;
  if (description !== null) t.description = description;
  if (isPublic !== null) t.is_public = isPublic;
  return ok({ group_type: groupTypeView(ctx, t) });
}

function deleteGroupType(ctx: Ctx, id: string) {
  authorize(ctx, 'group:group_types:delete');
  const t = ctx.state.requireGroupType(id, ctx.caller);
  // group_type_destroy counts every project's groups; group_types.destroy turns GroupTypeInUse into this 400.
  if ([...ctx.state.groups.values()].some((g) => g.group_type_id === t.id)) {
    throw badRequest(
      `Target group type is still in use. Group Type ${t.id} deletion is not allowed with groups present with the type.`,
    );
  }
  ctx.state.groupTypes.delete(t.id);
  if (ctx.state.defaultGroupTypeId === t.id) ctx.state.defaultGroupTypeId = null;
  return accepted();
}

// Read as the caller: a private type is not found by a non-admin (no project access lists are simulated).
function groupTypeFor(ctx: Ctx, id: string): GroupTypeRow {
  if (id === 'default') {
    const def = ctx.state.defaultGroupTypeId;
    if (!def || !ctx.state.groupTypes.has(def)) throw notFound('Default group type can not be found.');
    return ctx.state.requireGroupType(def, ctx.caller);
  }
  return ctx.state.requireGroupType(id, ctx.caller);
}

function updateSpec(ctx: Ctx, typeId: string, key: string) {
  const body = ctx.req.body;
  checkType(null, body, ['object']);
  const obj = body as Record<string, unknown>;
  const n = Object.keys(obj).length;
  if (n < 1) throw schemaFault(null, obj, `${pyRepr(obj)} does not have enough properties`);
  checkSpecEntries('group_specs', obj);
  if (n > 1) throw schemaFault(null, obj, `${pyRepr(obj)} has too many properties`);
  authorize(ctx, 'group:group_types_specs:update');
  const t = ctx.state.requireGroupType(typeId, ctx.caller);
  if (!Object.hasOwn(obj, key)) throw badRequest('Request body and URI mismatch');
  setOwn(t.group_specs, key, obj[key] as string);
  return ok(obj);
}

function deleteSpec(ctx: Ctx, typeId: string, key: string) {
  authorize(ctx, 'group:group_types_specs:delete');
  const t = ctx.state.requireGroupType(typeId, ctx.caller);
  if (!Object.hasOwn(t.group_specs, key)) throw notFound(`Group Type ${t.id} has no specs with key ${key}.`);
  delete t.group_specs[key];
  return accepted();
}

export const groupTypeRoutes: Route[] = [
  {
    method: 'GET',
    path: ['group_types'],
    minMv: 11,
    handle: (ctx) => {
      const page = listTypes(ctx, ctx.state.groupTypes.values(), (id) => ctx.state.requireGroupType(id, ctx.caller));
      const out: Record<string, unknown> = { group_types: page.map((t) => groupTypeView(ctx, t)) };
      const links = nextLinks(ctx.linkBase, 'group_types', ctx.query, page);
      if (links) out.group_type_links = links;
      return ok(out);
    },
  },
  { method: 'POST', path: ['group_types'], minMv: 11, handle: createGroupType },
  {
    method: 'GET',
    path: ['group_types', ':id'],
    minMv: 11,
    handle: (ctx, p) => ok({ group_type: groupTypeView(ctx, groupTypeFor(ctx, p.id as string)) }),
  },
  { method: 'PUT', path: ['group_types', ':id'], minMv: 11, handle: (ctx, p) => updateGroupType(ctx, p.id as string) },
  { method: 'DELETE', path: ['group_types', ':id'], minMv: 11, handle: (ctx, p) => deleteGroupType(ctx, p.id as string) },
  {
    method: 'GET',
    path: ['group_types', ':id', 'group_specs'],
    minMv: 11,
    handle: (ctx, p) => {
      authorize(ctx, 'group:group_types_specs:get_all');
      return ok({ group_specs: { ...ctx.state.requireGroupType(p.id as string, ctx.caller).group_specs } });
    },
  },
  {
    method: 'POST',
    path: ['group_types', ':id', 'group_specs'],
    minMv: 11,
    handle: (ctx, p) => {
      const body = ctx.req.body;
      if (!isObject(body) || !('group_specs' in body)) throw schemaFault(null, body, "'group_specs' is a required property");
      checkType('group_specs', body.group_specs, ['object']);
      const specs = checkSpecEntries('group_specs', body.group_specs as Record<string, unknown>);
      authorize(ctx, 'group:group_types_specs:create');
      const t = ctx.state.requireGroupType(p.id as string, ctx.caller);
      for (const [k, v] of Object.entries(specs)) setOwn(t.group_specs, k, v);
      return ok({ group_specs: specs }, 202);
    },
  },
  {
    method: 'GET',
    path: ['group_types', ':id', 'group_specs', ':key'],
    minMv: 11,
    handle: (ctx, p) => {
      authorize(ctx, 'group:group_types_specs:get');
      const t = ctx.state.requireGroupType(p.id as string, ctx.caller);
      const key = p.key as string;
      if (!Object.hasOwn(t.group_specs, key)) throw notFound(`Group Type ${p.id} has no extra spec with key ${key}.`);
      return ok({ [key]: t.group_specs[key] });
    },
  },
  {
    method: 'PUT',
    path: ['group_types', ':id', 'group_specs', ':key'],
    minMv: 11,
    handle: (ctx, p) => updateSpec(ctx, p.id as string, p.key as string),
  },
  {
    method: 'DELETE',
    path: ['group_types', ':id', 'group_specs', ':key'],
    minMv: 11,
    handle: (ctx, p) => deleteSpec(ctx, p.id as string, p.key as string),
  },
];
