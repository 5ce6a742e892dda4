import type { SimResponse } from '../server.js';
import { manilaTime, newId, type GroupSnapshotRow } from './state.js';
import {
  collectionLinks, entity, fault, filterAndSort, isUuidLike, limited, listQuery, reply, selfLinks,
  shareGroupGate, str, type Ctx,
} from './wire.js';
import { adminAction, updateNameDescription } from './actions.js';
import { authorizeController, inScope, listScope, own } from './policy.js';

/** `/share-group-snapshots` (manila/api/v2/share_group_snapshots.py in Zed). */

// Zed's view builder uses the singular `share_group_snapshot` as collection name: every href it builds 404s.
const COLLECTION = 'share_group_snapshot';

// The DB column is share_group_id; rows keep it as group_id, so filters are translated below.
const COLUMNS = ['id', 'name', 'description', 'status', 'share_group_id', 'project_id', 'user_id', 'created_at', 'updated_at'] as const;

function viewRow(s: GroupSnapshotRow): Record<string, unknown> {
  return { ...s, share_group_id: s.group_id };
}

export function snapshotDetail(ctx: Ctx, s: GroupSnapshotRow): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    created_at: s.created_at,
    status: s.status,
    description: s.description,
    project_id: s.project_id,
    share_group_id: s.group_id,
    members: s.members.map((m) => ({ id: m.id, size: m.size, share_id: m.share_id })),
    links: selfLinks(ctx, COLLECTION, s.id),
  };
}

function list(ctx: Ctx, detail: boolean): SimResponse {
  const { search, sortKey, sortDir } = listQuery(ctx);
  const rows = inScope(ctx.state.shareGroupSnapshots.values(), listScope(ctx)).map(viewRow);
  // No LIKE support here: `name~` is just an unknown key.
  const sorted = filterAndSort(ctx, rows, {
    columns: COLUMNS, like: [], search, sortKey, sortDir,
    unknownKeyMessage: (k) => `Share group snapshots cannot be filtered using '${k}' key.`,
  });
  if (!Array.isArray(sorted)) return sorted;
  const page = limited(ctx, sorted);
  if (!Array.isArray(page)) return page;
  const snaps = page.map((r) => ctx.state.shareGroupSnapshots.get(String(r.id)) as GroupSnapshotRow);
  const items = snaps.map((s) => (detail ? snapshotDetail(ctx, s) : { id: s.id, name: s.name, links: selfLinks(ctx, COLLECTION, s.id) }));
  const body: Record<string, unknown> = { share_group_snapshots: items };
  const links = collectionLinks(ctx, COLLECTION, snaps);
  if (links.length > 0) body.share_group_snapshot_links = links;
  return reply(ctx, 200, body);
}

function members(ctx: Ctx, id: string): SimResponse {
  // share_group_snapshot_members_get_all has no project_only: real Manila lists another project's members too.
  const s = ctx.state.shareGroupSnapshots.get(id);
  const all = s?.members ?? [];
  const page = limited(ctx, all);
  if (!Array.isArray(page)) return page;
  const items = page.map((m) => ({
    id: m.id, created_at: m.created_at, size: m.size, share_protocol: m.share_proto, project_id: m.project_id,
    share_group_snapshot_id: id, share_id: m.share_id,
  }));
  const body: Record<string, unknown> = { share_group_snapshot_members: items };
  // Manila keys the marker on share_group_snapshot_id, so the next link repeats the snapshot id.
  const links = collectionLinks(ctx, COLLECTION, page.map(() => ({ id })));
  if (links.length > 0) body.share_group_snapshot_members_links = links;
  return reply(ctx, 200, body);
}

function notFound(ctx: Ctx, id: string): SimResponse {
  return fault(ctx, 404, `Share group snapshot ${id} not found.`);
}

function create(ctx: Ctx): SimResponse {
  const st = ctx.state;
  const body = entity(ctx.req.body, 'share_group_snapshot');
  if (!body) return fault(ctx, 400, "'share_group_snapshot' is missing from the request body.");
  const groupId = body.share_group_id;
  if (!groupId) return fault(ctx, 400, "Must supply 'share_group_id' attribute.");
  if (!isUuidLike(groupId)) return fault(ctx, 400, "The 'share_group_id' attribute must be a uuid.");
  const g = own(ctx, st.shareGroups.get(String(groupId)));
  // A missing group is ShareGroupNotFound mapped to 400, with Zed's unformatted template.
  if (!g) return fault(ctx, 400, 'Share group %(share_group_id)s could not be found.');
  if (g.status !== 'available') return fault(ctx, 409, 'Invalid share group: %(reason)s');
  const shares = st.sharesInGroup(g.id);
  if (shares.some((s) => s.status !== 'available')) return fault(ctx, 409, 'Invalid share group: %(reason)s');
  const created = manilaTime();
  const row: GroupSnapshotRow = {
    id: newId(), name: str(body.name), description: str(body.description), status: 'creating', created_at: created,
    project_id: ctx.projectId, user_id: ctx.caller.userId, group_id: g.id,
    members: shares.map((s) => ({
      id: newId(), created_at: created, size: s.size, share_proto: s.share_proto, share_type_id: s.share_type_id,
      project_id: s.project_id, share_id: s.id, status: 'creating',
    })),
  };
  st.shareGroupSnapshots.set(row.id, row);
  st.schedule('share_group_snapshot', row.id, 'available');
  return reply(ctx, 202, { share_group_snapshot: snapshotDetail(ctx, row) });
}

function update(ctx: Ctx, id: string): SimResponse {
  return updateNameDescription(
    ctx,
    'share_group_snapshot',
    () => own(ctx, ctx.state.shareGroupSnapshots.get(id)),
    () => notFound(ctx, id),
    (s) => snapshotDetail(ctx, s),
  );
}

function remove(ctx: Ctx, id: string): SimResponse {
  const s = own(ctx, ctx.state.shareGroupSnapshots.get(id));
  if (!s) return notFound(ctx, id);
  if (s.status !== 'available' && s.status !== 'error') return fault(ctx, 409, 'Invalid share group snapshot: %(reason)s');
  s.status = 'deleting';
  ctx.state.schedule('share_group_snapshot', id, 'gone');
  return reply(ctx, 202);
}

export function routeShareGroupSnapshots(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, sub, extra] = rest;
  if (extra !== undefined) return undefined;
  if (id === undefined) {
    if (m !== 'GET' && m !== 'POST') return undefined;
    return shareGroupGate(ctx) ?? (m === 'GET' ? list(ctx, false) : authorizeController(ctx, 'share_group_snapshot:create') ?? create(ctx));
  }
  if (sub === 'members') return m === 'GET' ? (shareGroupGate(ctx) ?? members(ctx, id)) : undefined;
  if (sub === 'action') {
    if (m !== 'POST') return undefined;
    const st = ctx.state;
    return adminAction(ctx, id, {
      resource: 'share_group_snapshot',
      actions: { reset_status: 'reset', force_delete: 'force' },
      gate: (c) => shareGroupGate(c),
      exists: (x) => own(ctx, st.shareGroupSnapshots.get(x)) !== undefined,
      setStatus: (x, status) => {
        const s = st.shareGroupSnapshots.get(x);
        if (s) s.status = status;
        st.cancel('share_group_snapshot', x);
      },
      forceDelete: (x) => {
        st.shareGroupSnapshots.delete(x);
        st.cancel('share_group_snapshot', x);
      },
    });
  }
  if (sub !== undefined) return undefined;
  if (id === 'detail' && m === 'GET') return shareGroupGate(ctx) ?? list(ctx, true);
  const denied = shareGroupGate(ctx);
  if (m === 'GET') {
    if (denied) return denied;
    const s = own(ctx, ctx.state.shareGroupSnapshots.get(id));
    return s ? reply(ctx, 200, { share_group_snapshot: snapshotDetail(ctx, s) }) : notFound(ctx, id);
  }
  if (m === 'PUT') return denied ?? authorizeController(ctx, 'share_group_snapshot:update') ?? update(ctx, id);
  if (m === 'DELETE') return denied ?? authorizeController(ctx, 'share_group_snapshot:delete') ?? remove(ctx, id);
  return undefined;
}
