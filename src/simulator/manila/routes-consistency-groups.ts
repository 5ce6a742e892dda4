import type { SimResponse } from '../server.js';
import { manilaTime, newId, type ConsistencyGroupRow, type GroupSnapshotRow } from './state.js';
import {
  atLeast, collectionLinks, entity, fault, isUuidLike, limited, pySet, reply, selfLinks, str, versionNotFound,
  type Ctx,
} from './wire.js';
import { adminAction } from './actions.js';
import { own } from './policy.js';
import { newShareRow } from './routes-shares.js';

/**
 * Legacy (2.4–2.30, Manila < 4.0) `/consistency-groups` and `/cgsnapshots`. Every method is experimental, and
 * those releases formatted their error messages (the unformatted-template bug came later).
 */

const CG_COLLECTION = 'consistency_groups';
const CGS_COLLECTION = 'cgsnapshot';

function cgGate(ctx: Ctx): SimResponse | undefined {
  return atLeast(ctx, '2.4') && ctx.experimental ? undefined : versionNotFound(ctx);
}

/** os-* action names exist for 2.4–2.6, the bare names from 2.7. */
function actionGate(ctx: Ctx, action: string): SimResponse | undefined {
  const denied = cgGate(ctx);
  if (denied) return denied;
  const legacyName = action.startsWith('os-');
  return legacyName === atLeast(ctx, '2.7') ? versionNotFound(ctx) : undefined;
}

const ACTIONS = { reset_status: 'reset', 'os-reset_status': 'reset', force_delete: 'force', 'os-force_delete': 'force' } as const;

function cgDetail(ctx: Ctx, g: ConsistencyGroupRow): Record<string, unknown> {
  return {
    id: g.id, name: g.name, created_at: g.created_at, status: g.status, description: g.description,
    project_id: g.project_id, host: g.host, source_cgsnapshot_id: g.source_cgsnapshot_id,
    share_network_id: g.share_network_id, share_types: [...g.share_types], links: selfLinks(ctx, CG_COLLECTION, g.id),
    share_server_id: g.share_server_id,
  };
}

function cgsDetail(ctx: Ctx, s: GroupSnapshotRow): Record<string, unknown> {
  return {
    id: s.id, name: s.name, created_at: s.created_at, status: s.status, description: s.description,
    project_id: s.project_id, consistency_group_id: s.group_id, links: selfLinks(ctx, CGS_COLLECTION, s.id),
  };
}

function listOf<T extends { id: string; name: string | null; created_at: string; project_id: string }>(
  ctx: Ctx, rows: Iterable<T>, detail: (r: T) => unknown, collection: string, key: string, linksKey: string,
): SimResponse {
  // These releases ignored filters on these lists (only limit/offset and all_tenants mattered).
  const sorted = [...rows].filter((r) => r.project_id === ctx.projectId).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  const page = limited(ctx, sorted);
  if (!Array.isArray(page)) return page;
  const body: Record<string, unknown> = { [key]: page.map(detail) };
  const links = collectionLinks(ctx, collection, page);
  if (links.length > 0) body[linksKey] = links;
  return reply(ctx, 200, body);
}

function updateFields(ctx: Ctx, key: string, row: { name: string | null; description: string | null } | undefined,
  notFound: string): SimResponse | undefined {
  const data = entity(ctx.req.body, key);
  if (!data) return fault(ctx, 400, `'${key}' is missing from the request body.`);
  const invalid = Object.keys(data).filter((k) => k !== 'name' && k !== 'description');
  if (invalid.length > 0) return fault(ctx, 400, `The fields ${pySet(invalid)} are invalid or not allowed to be updated.`);
  if (!row) return fault(ctx, 404, notFound);
  if ('name' in data) row.name = str(data.name);
  if ('description' in data) row.description = str(data.description);
  return undefined;
}

function createCg(ctx: Ctx): SimResponse {
  const st = ctx.state;
  const cg = entity(ctx.req.body, 'consistency_group');
  if (!cg) return fault(ctx, 400, "'consistency_group' is missing from the request body.");
  const valid = ['name', 'description', 'share_types', 'source_cgsnapshot_id', 'share_network_id'];
  const invalid = Object.keys(cg).filter((k) => !valid.includes(k));
  if (invalid.length > 0) return fault(ctx, 400, `The fields ${pySet(invalid)} are invalid.`);
  const hasSource = 'source_cgsnapshot_id' in cg;
  if ('share_types' in cg && hasSource) return fault(ctx, 400, "Cannot supply both 'share_types' and 'source_cgsnapshot_id' attributes.");
  let types = cg.share_types;
  if (!(Array.isArray(types) && types.length > 0) && !hasSource) {
    const def = st.defaultShareType();
    if (!def) return fault(ctx, 400, 'Must specify at least one share type as a default share type has not been configured.');
    types = [def.id];
  }
  if (types && (!Array.isArray(types) || !types.every(isUuidLike))) return fault(ctx, 400, "The 'share_types' attribute must be a list of uuids");
  if ('share_network_id' in cg && hasSource) {
    return fault(ctx, 400, "Cannot supply both 'share_network_id' and 'source_cgsnapshot_id' attributes as the share network is inherited from the source.");
  }
  const row: ConsistencyGroupRow = {
    id: newId(), name: str(cg.name), description: str(cg.description), status: 'creating', created_at: manilaTime(),
    project_id: ctx.projectId, user_id: ctx.caller.userId, host: null, source_cgsnapshot_id: null, share_network_id: null,
    share_server_id: null, share_types: [],
  };
  if (hasSource) {
    if (!isUuidLike(cg.source_cgsnapshot_id)) return fault(ctx, 400, "The 'source_cgsnapshot_id' attribute must be a uuid.");
    const snap = own(ctx, st.cgSnapshots.get(String(cg.source_cgsnapshot_id)));
    if (!snap) return fault(ctx, 400, `Consistency group snapshot ${String(cg.source_cgsnapshot_id)} could not be found.`);
    if (snap.status !== 'available') return fault(ctx, 409, `Invalid cgsnapshot: Source CGSnapshot ${snap.id} not in available state.`);
    const source = st.consistencyGroups.get(snap.group_id);
    Object.assign(row, { source_cgsnapshot_id: snap.id, share_types: [...(source?.share_types ?? [])], share_network_id: source?.share_network_id ?? null });
    st.consistencyGroups.set(row.id, row);
    for (const m of snap.members) {
      const share = newShareRow(ctx, { size: m.size, share_proto: m.share_proto, share_type_id: m.share_type_id,
        consistency_group_id: row.id, source_cgsnapshot_member_id: m.id, share_network_id: row.share_network_id });
      st.shares.set(share.id, share);
      st.schedule('share', share.id, 'available');
    }
  } else {
    if ('share_network_id' in cg) {
      if (!isUuidLike(cg.share_network_id)) return fault(ctx, 400, "The 'share_network_id' attribute must be a uuid.");
      const net = String(cg.share_network_id);
      if (!own(ctx, st.shareNetworks.get(net))) return fault(ctx, 404, `Share network ${net} could not be found.`);
      row.share_network_id = net;
    }
    for (const t of types as string[]) if (!st.shareTypes.has(t)) return fault(ctx, 404, `Share type ${t} could not be found.`);
    row.share_types = (types as string[]).map(String);
    st.consistencyGroups.set(row.id, row);
  }
  st.schedule('consistency_group', row.id, 'available');
  return reply(ctx, 202, { consistency_group: cgDetail(ctx, row) });
}

function deleteCg(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const g = own(ctx, st.consistencyGroups.get(id));
  if (!g) return fault(ctx, 404, `Consistency group ${id} not found.`);
  const invalid = (reason: string) => fault(ctx, 409, `Invalid consistency group: ${reason}`);
  if (g.status !== 'available' && g.status !== 'error') return invalid("Consistency group status must be one of ('available', 'error')");
  if (st.snapshotsOfCg(id).length > 0) return invalid('Cannot delete a consistency group with cgsnapshots');
  if (st.sharesInCg(id).length > 0) return invalid('Cannot delete a consistency group with shares');
  if (!g.host) st.consistencyGroups.delete(id);
  else {
    g.status = 'deleting';
    st.schedule('consistency_group', id, 'gone');
  }
  return reply(ctx, 202);
}

export function routeConsistencyGroups(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const st = ctx.state;
  const m = ctx.req.method;
  const [id, sub, extra] = rest;
  if (extra !== undefined) return undefined;
  const list = (detail: boolean) => listOf(ctx, st.consistencyGroups.values(),
    (g) => (detail ? cgDetail(ctx, g) : { id: g.id, name: g.name, links: selfLinks(ctx, CG_COLLECTION, g.id) }),
    CG_COLLECTION, 'consistency_groups', 'consistency_groups_links');
  if (id === undefined) {
    if (m === 'GET') return cgGate(ctx) ?? list(false);
    if (m === 'POST') return cgGate(ctx) ?? createCg(ctx);
    return undefined;
  }
  if (sub === 'action') {
    if (m !== 'POST') return undefined;
    return adminAction(ctx, id, {
      resource: 'consistency_group', actions: ACTIONS, gate: actionGate,
      exists: (x) => own(ctx, st.consistencyGroups.get(x)) !== undefined,
      setStatus: (x, s) => {
        const g = st.consistencyGroups.get(x);
        if (g) g.status = s;
        st.cancel('consistency_group', x);
      },
      // Force delete only destroys the CG row; its shares keep a dangling consistency_group_id, as in Mitaka.
      forceDelete: (x) => {
        st.consistencyGroups.delete(x);
        st.cancel('consistency_group', x);
      },
    });
  }
  if (sub !== undefined) return undefined;
  if (id === 'detail' && m === 'GET') return cgGate(ctx) ?? list(true);
  const denied = cgGate(ctx);
  if (m === 'GET') {
    if (denied) return denied;
    const g = own(ctx, st.consistencyGroups.get(id));
    return g ? reply(ctx, 200, { consistency_group: cgDetail(ctx, g) }) : fault(ctx, 404, `Consistency group ${id} not found.`);
  }
  if (m === 'PUT') {
    if (denied) return denied;
    const g = own(ctx, st.consistencyGroups.get(id));
    return updateFields(ctx, 'consistency_group', g, `Consistency group ${id} not found.`) ??
      reply(ctx, 200, { consistency_group: cgDetail(ctx, g as ConsistencyGroupRow) });
  }
  if (m === 'DELETE') return denied ?? deleteCg(ctx, id);
  return undefined;
}

function createCgSnapshot(ctx: Ctx): SimResponse {
  const st = ctx.state;
  const body = entity(ctx.req.body, 'cgsnapshot');
  if (!body) return fault(ctx, 400, "'cgsnapshot' is missing from the request body.");
  const cgId = body.consistency_group_id;
  if (!cgId) return fault(ctx, 400, "Must supply 'consistency_group_id' attribute.");
  if (!isUuidLike(cgId)) return fault(ctx, 400, "The 'consistency_group_id' attribute must be a uuid.");
  const g = own(ctx, st.consistencyGroups.get(String(cgId)));
  if (!g) return fault(ctx, 400, `Consistency group ${String(cgId)} could not be found.`);
  if (g.status !== 'available') return fault(ctx, 409, 'Invalid consistency group: Consistency group status must be available');
  const shares = st.sharesInCg(g.id);
  const created = manilaTime();
  const row: GroupSnapshotRow = {
    id: newId(), name: str(body.name), description: str(body.description), status: 'creating', created_at: created,
    project_id: ctx.projectId, user_id: ctx.caller.userId, group_id: g.id,
    members: shares.map((s) => ({ id: newId(), created_at: created, size: s.size, share_proto: s.share_proto,
      share_type_id: s.share_type_id, project_id: s.project_id, share_id: s.id, status: 'creating' })),
  };
  st.cgSnapshots.set(row.id, row);
  st.schedule('cgsnapshot', row.id, 'available');
  return reply(ctx, 202, { cgsnapshot: cgsDetail(ctx, row) });
}

export function routeCgSnapshots(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const st = ctx.state;
  const m = ctx.req.method;
  const [id, sub, extra] = rest;
  if (extra !== undefined) return undefined;
  // Real Mitaka key is `cgsnapshot_links` (singular), not `cgsnapshots_links`.
  const list = (detail: boolean) => listOf(ctx, st.cgSnapshots.values(),
    (s) => (detail ? cgsDetail(ctx, s) : { id: s.id, name: s.name, links: selfLinks(ctx, CGS_COLLECTION, s.id) }),
    CGS_COLLECTION, 'cgsnapshots', 'cgsnapshot_links');
  const notFound = (x: string) => fault(ctx, 404, `Consistency group snapshot ${x} not found.`);
  if (id === undefined) {
    if (m === 'GET') return cgGate(ctx) ?? list(false);
    if (m === 'POST') return cgGate(ctx) ?? createCgSnapshot(ctx);
    return undefined;
  }
  if (sub === 'members') {
    if (m !== 'GET') return undefined;
    const denied = cgGate(ctx);
    if (denied) return denied;
    const page = limited(ctx, st.cgSnapshots.get(id)?.members ?? []);
    if (!Array.isArray(page)) return page;
    const body: Record<string, unknown> = {
      cgsnapshot_members: page.map((mb) => ({ id: mb.id, created_at: mb.created_at, size: mb.size, share_protocol: mb.share_proto,
        project_id: mb.project_id, share_type_id: mb.share_type_id, cgsnapshot_id: id, share_id: mb.share_id })),
    };
    const links = collectionLinks(ctx, CGS_COLLECTION, page.map(() => ({ id })));
    if (links.length > 0) body.cgsnapshot_members_links = links;
    return reply(ctx, 200, body);
  }
  if (sub === 'action') {
    if (m !== 'POST') return undefined;
    return adminAction(ctx, id, {
      resource: 'cgsnapshot', actions: ACTIONS, gate: actionGate,
      exists: (x) => own(ctx, st.cgSnapshots.get(x)) !== undefined,
      setStatus: (x, s) => {
        const snap = st.cgSnapshots.get(x);
        if (snap) snap.status = s;
        st.cancel('cgsnapshot', x);
      },
      forceDelete: (x) => {
        st.cgSnapshots.delete(x);
        st.cancel('cgsnapshot', x);
      },
    });
  }
  if (sub !== undefined) return undefined;
  if (id === 'detail' && m === 'GET') return cgGate(ctx) ?? list(true);
  const denied = cgGate(ctx);
  if (denied && ['GET', 'PUT', 'DELETE'].includes(m)) return denied;
  const snap = own(ctx, st.cgSnapshots.get(id));
  if (m === 'GET') return snap ? reply(ctx, 200, { cgsnapshot: cgsDetail(ctx, snap) }) : notFound(id);
  if (m === 'PUT') {
    return updateFields(ctx, 'cgsnapshot', snap, `Consistency group snapshot ${id} not found.`) ??
      reply(ctx, 200, { cgsnapshot: cgsDetail(ctx, snap as GroupSnapshotRow) });
  }
  if (m === 'DELETE') {
    if (!snap) return notFound(id);
    if (snap.status !== 'available' && snap.status !== 'error') {
      return fault(ctx, 409, "Invalid cgsnapshot: CGSnapshot status must be one of ('available', 'error')");
    }
    snap.status = 'deleting';
    st.schedule('cgsnapshot', id, 'gone');
    return reply(ctx, 202);
  }
  return undefined;
}
