import type { SimResponse } from '../server.js';
import { newId, type ShareGroupTypeRow } from './state.js';
import { NOT_FOUND_TEXT, atLeast, entity, fault, isDict, isUuidLike, reply, shareGroupGate, type Ctx } from './wire.js';
import { authorizeController, type Policy } from './policy.js';
import { parseIsPublic } from './routes-types.js';
import { setOwn } from '../own.js';

/**
 * `/share-group-types` (manila/api/v2/share_group_types.py and share_group_type_specs.py in Zed): reads for
 * everyone, and the admin-only administration: create, delete, group specs, project access.
 */

// common.VALID_KEY_NAME_REGEX
const VALID_KEY = /^[\w.\-:]+$/u;

/** `_share_group_type_get_query`: a non-admin sees public types and the private ones shared with its project. */
function visible(ctx: Ctx, t: ShareGroupTypeRow | undefined): ShareGroupTypeRow | undefined {
  return t && (t.is_public || ctx.caller.isAdmin || t.projects.includes(ctx.projectId)) ? t : undefined;
}

export function groupTypeView(ctx: Ctx, t: ShareGroupTypeRow): Record<string, unknown> {
  const d: Record<string, unknown> = {
    id: t.id,
    name: t.name,
    is_public: t.is_public,
    group_specs: { ...t.group_specs },
    share_types: [...t.share_types],
  };
  if (atLeast(ctx, '2.46')) d.is_default = ctx.state.defaultShareGroupType()?.id === t.id;
  return d;
}

/** A spec value as the database column gives it back (psycopg2 writes a JSON boolean as `true` / `false`). */
function stored(v: string | boolean): string {
  return typeof v === 'boolean' ? String(v) : v;
}

function createGroupType(ctx: Ctx): SimResponse {
  const st = ctx.state;
  const body = entity(ctx.req.body, 'share_group_type');
  // webob's bare HTTPBadRequest: its default explanation.
  if (!body) return fault(ctx, 400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
  const refs = body.share_types;
  if (!refs || (Array.isArray(refs) && refs.length === 0)) return fault(ctx, 400, 'Supported share types must be provided.');
  const name = body.name;
  if (name === undefined || name === null || name === '' || String(name).length > 255) {
    return fault(ctx, 400, 'Share group type name is not valid.');
  }
  const specs = body.group_specs ?? {};
  if (!isDict(specs)) return fault(ctx, 400, "Group specs can be either of 'None' or 'dict' types.");
  if (Object.entries(specs).some(([, v]) => typeof v !== 'string')) {
    return fault(ctx, 400, 'Group specs keys and values should be strings.');
  }
  const ids: string[] = [];
  for (const ref of Array.isArray(refs) ? refs : [refs]) {
    // share_type_get_by_name_or_id; Zed sends ShareTypeDoesNotExist's template unformatted.
    const t = [...st.shareTypes.values()].find((x) => x.id === ref || x.name === ref);
    if (!t) return fault(ctx, 404, 'Share Type %(share_type)s does not exist.');
    ids.push(t.id);
  }
  if ([...st.shareGroupTypes.values()].some((t) => t.name === String(name))) {
    return fault(ctx, 409, 'Share group type %(type_id)s already exists.');
  }
  const row: ShareGroupTypeRow = {
    id: newId(), name: String(name), is_public: body.is_public === undefined ? true : Boolean(body.is_public),
    group_specs: Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, String(v)])), share_types: ids, projects: [],
  };
  st.shareGroupTypes.set(row.id, row);
  return reply(ctx, 200, { share_group_type: groupTypeView(ctx, row) });
}

function list(ctx: Ctx): SimResponse {
  const pub = parseIsPublic(ctx);
  if (typeof pub === 'object' && pub !== null) return pub;
  // share_group_type_get_all: `is_public = true` also matches the private types shared with the caller's project.
  const items = [...ctx.state.shareGroupTypes.values()]
    .filter((t) => pub === null || t.is_public === pub || (pub && t.projects.includes(ctx.projectId)))
    .filter((t) => visible(ctx, t))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // No paging and no links on this collection; the database orders by name.
  return reply(ctx, 200, { share_group_types: items.map((t) => groupTypeView(ctx, t)) });
}

/** `DELETE /share-group-types/{id}`: 204; a type that share groups still use is a 400 (not 409). */
function remove(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const t = visible(ctx, st.shareGroupTypes.get(id));
  if (!t) return fault(ctx, 404, NOT_FOUND_TEXT);
  if ([...st.shareGroups.values()].some((g) => g.share_group_type_id === id)) {
    return fault(ctx, 400, `Target share group type with id ${id} is still in use.`);
  }
  st.shareGroupTypes.delete(id);
  return { status: 204, headers: reply(ctx, 204).headers };
}

/** `POST …/{id}/action` with `addProjectAccess` / `removeProjectAccess` (202, empty). */
function accessAction(ctx: Ctx, id: string): SimResponse {
  const body = ctx.req.body;
  if (!isDict(body) || Object.keys(body).length !== 1) return fault(ctx, 400, 'Malformed request body');
  const action = Object.keys(body)[0] as string;
  if (action !== 'addProjectAccess' && action !== 'removeProjectAccess') return fault(ctx, 400, `There is no such action: ${action}`);
  const policy: Policy = action === 'addProjectAccess' ? 'share_group_type:add_project_access' : 'share_group_type:remove_project_access';
  const refused = authorizeController(ctx, policy);
  if (refused) return refused;
  const args = body[action];
  if (!isDict(args)) return fault(ctx, 400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
  const project = args.project;
  if (!isUuidLike(project)) return fault(ctx, 400, `Project value (${project === undefined ? 'None' : String(project)}) must be in uuid format.`);
  const t = ctx.state.shareGroupTypes.get(id);
  if (!t) return fault(ctx, 404, 'Share group type %(type_id)s could not be found.');
  if (t.is_public) return fault(ctx, 409, 'Type access modification is not applicable to public share group type.');
  const projectId = String(project);
  if (action === 'addProjectAccess') {
    if (t.projects.includes(projectId)) {
      return fault(ctx, 409, 'Share group type access for %(type_id)s / %(project_id)s combination already exists.');
    }
    t.projects.push(projectId);
  } else {
    if (!t.projects.includes(projectId)) {
      return fault(ctx, 404, 'Share group type access not found for %(type_id)s / %(project_id)s combination.');
    }
    t.projects = t.projects.filter((p) => p !== projectId);
  }
  return reply(ctx, 202);
}

function accessList(ctx: Ctx, id: string): SimResponse {
  const refused = authorizeController(ctx, 'share_group_type:list_project_access');
  if (refused) return refused;
  const t = ctx.state.shareGroupTypes.get(id);
  if (!t) return fault(ctx, 404, `Share group type ${id} not found.`);
  if (t.is_public) return fault(ctx, 404, 'Access list not available for public share group types.');
  return reply(ctx, 200, { share_group_type_access: t.projects.map((p) => ({ share_group_type_id: t.id, project_id: p })) });
}

type SpecAction = 'index' | 'show' | 'create' | 'update' | 'delete';

/** `/share-group-types/{id}/group-specs[/{key}]` (share_group_type_specs.py); every method is admin-only. */
function groupSpecs(ctx: Ctx, id: string, key: string | undefined): SimResponse | undefined {
  const m = ctx.req.method;
  const methods: Record<string, SpecAction> = key === undefined ? { GET: 'index', POST: 'create' } : { GET: 'show', PUT: 'update', DELETE: 'delete' };
  const action: SpecAction | undefined = methods[m];
  if (!action) return undefined;
  const refused = authorizeController(ctx, `share_group_types_spec:${action}` as Policy);
  if (refused) return refused;
  const body = ctx.req.body;
  if (action === 'create' && !entity(body, 'group_specs')) {
    return fault(ctx, 400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  if (action === 'update' && (!isDict(body) || Object.keys(body).length === 0)) return fault(ctx, 400, 'Request body empty.');
  const t = visible(ctx, ctx.state.shareGroupTypes.get(id));
  if (!t) return fault(ctx, 404, `Share group type ${id} could not be found.`);
  switch (action) {
    case 'index':
      return reply(ctx, 200, { group_specs: { ...t.group_specs } });
    case 'show':
      return key !== undefined && Object.hasOwn(t.group_specs, key) ? reply(ctx, 200, { [key]: t.group_specs[key] }) : fault(ctx, 404, NOT_FOUND_TEXT);
    case 'delete':
      if (key === undefined || !Object.hasOwn(t.group_specs, key)) {
        return fault(ctx, 404, `Share group type ${id} has no group specs with key ${String(key)}.`);
      }
      delete t.group_specs[key];
      return { status: 204, headers: reply(ctx, 204).headers };
    case 'create':
    case 'update': {
      const specs = (action === 'create' ? (body as Record<string, unknown>).group_specs : body) as Record<string, unknown>;
      if (action === 'update') {
        if (!Object.hasOwn(specs, String(key))) return fault(ctx, 400, 'Request body and URI mismatch.');
        if (Object.keys(specs).length > 1) return fault(ctx, 400, 'Request body contains too many items.');
      }
      for (const [k, v] of Object.entries(specs)) {
        const okString = (x: unknown) => typeof x === 'string' && x.length >= 1 && x.length <= 255;
        if (!okString(k) || !(okString(v) || typeof v === 'boolean')) return fault(ctx, 400, `Invalid extra_spec: ${k}: ${pyRepr(v)}`);
      }
      if (action === 'create' && !Object.keys(specs).every((k) => VALID_KEY.test(k))) {
        return fault(ctx, 400, 'Key names can only contain alphanumeric characters, underscores, periods, colons and hyphens.');
      }
      for (const [k, v] of Object.entries(specs)) setOwn(t.group_specs, k, stored(v as string | boolean));
      // The request body is echoed as sent.
      return reply(ctx, 200, body);
    }
  }
}

/** How Python prints a spec value in "Invalid extra_spec: k: v". */
function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function routeShareGroupTypes(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, sub, key, extra] = rest;
  if (extra !== undefined) return undefined;
  const denied = () => shareGroupGate(ctx);
  if (id === undefined) {
    if (m === 'GET') return denied() ?? list(ctx);
    if (m === 'POST') return denied() ?? authorizeController(ctx, 'share_group_type:create') ?? createGroupType(ctx);
    return undefined;
  }
  if (sub === 'group-specs') {
    if (!['GET', 'POST', 'PUT', 'DELETE'].includes(m)) return undefined;
    return denied() ?? groupSpecs(ctx, id, key);
  }
  if (key !== undefined) return undefined;
  if (sub === 'access') return m === 'GET' ? (denied() ?? accessList(ctx, id)) : undefined;
  if (sub === 'action') return m === 'POST' ? (denied() ?? accessAction(ctx, id)) : undefined;
  if (sub !== undefined) return undefined;
  if (m === 'DELETE') return denied() ?? authorizeController(ctx, 'share_group_type:delete') ?? remove(ctx, id);
  if (m !== 'GET') return undefined;
  const gate = denied();
  if (gate) return gate;
  const t = visible(ctx, id === 'default' ? ctx.state.defaultShareGroupType() : ctx.state.shareGroupTypes.get(id));
  if (!t) return fault(ctx, 404, id === 'default' ? 'Default share group type not found.' : `Share group type with id ${id} not found.`);
  return reply(ctx, 200, { share_group_type: groupTypeView(ctx, t) });
}
