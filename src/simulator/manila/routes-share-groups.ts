import type { SimResponse } from '../server.js';
import { AVAILABILITY_ZONE, manilaTime, newId, type GroupSnapshotRow, type ShareGroupRow } from './state.js';
import {
  atLeast, boolFromString, collectionLinks, entity, fault, filterAndSort, isUuidLike, limited, listQuery, pySet, reply,
  selfLinks, shareGroupGate, str, type Ctx,
} from './wire.js';
import { adminAction, updateNameDescription } from './actions.js';
import { authorizeController, inScope, listScope, own } from './policy.js';
import { newShareRow } from './routes-shares.js';

/** `/share-groups` (manila/api/v2/share_groups.py in Zed). */

// Zed's view builder names the collection `share_groups`, so self/bookmark/next hrefs point at a 404 path.
const COLLECTION = 'share_groups';

const COLUMNS = [
  'id', 'name', 'description', 'status', 'host', 'share_network_id', 'share_server_id', 'share_group_type_id',
  'source_share_group_snapshot_id', 'project_id', 'user_id', 'availability_zone_id', 'consistent_snapshot_support',
  'created_at', 'updated_at',
] as const;

export function shareGroupDetail(ctx: Ctx, g: ShareGroupRow): Record<string, unknown> {
  const d: Record<string, unknown> = {
    id: g.id,
    name: g.name,
    created_at: g.created_at,
    status: g.status,
    description: g.description,
    project_id: g.project_id,
    host: g.host,
    share_group_type_id: g.share_group_type_id,
    source_share_group_snapshot_id: g.source_share_group_snapshot_id,
    share_network_id: g.share_network_id,
    share_types: [...g.share_types],
    links: selfLinks(ctx, COLLECTION, g.id),
  };
  if (atLeast(ctx, '2.34')) {
    d.availability_zone = g.availability_zone;
    d.consistent_snapshot_support = g.consistent_snapshot_support;
  }
  // views/share_groups.py: share_server_id for context.is_admin only.
  if (ctx.caller.isAdmin) d.share_server_id = g.share_server_id;
  return d;
}

function list(ctx: Ctx, detail: boolean): SimResponse {
  const { search, sortKey, sortDir } = listQuery(ctx);
  if (!atLeast(ctx, '2.36')) {
    search.delete('name~');
    search.delete('description~');
  }
  const alias = search.get('group_type_id');
  if (alias !== undefined) {
    search.delete('group_type_id');
    search.set('share_group_type_id', alias);
  }
  const rows = inScope(ctx.state.shareGroups.values(), listScope(ctx));
  const sorted = filterAndSort(ctx, rows, {
    columns: COLUMNS, like: ['name~', 'description~'], search, sortKey, sortDir,
    unknownKeyMessage: (k) => `Share groups cannot be filtered using '${k}' key.`,
  });
  if (!Array.isArray(sorted)) return sorted;
  const page = limited(ctx, sorted);
  if (!Array.isArray(page)) return page;
  const items = page.map((g) => (detail ? shareGroupDetail(ctx, g) : { id: g.id, name: g.name, links: selfLinks(ctx, COLLECTION, g.id) }));
  const body: Record<string, unknown> = { share_groups: items };
  const links = collectionLinks(ctx, COLLECTION, page);
  if (links.length > 0) body.share_groups_links = links;
  return reply(ctx, 200, body);
}

function notFound(ctx: Ctx, id: string): SimResponse {
  return fault(ctx, 404, `Share group ${id} not found.`);
}

/** `share_type_get` / `share_group_type_get` as the caller: private types are not found by non-admins. */
function visibleType<T extends { is_public: boolean }>(ctx: Ctx, t: T | undefined): T | undefined {
  return t && (t.is_public || ctx.caller.isAdmin) ? t : undefined;
}

function create(ctx: Ctx): SimResponse {
  const sg = entity(ctx.req.body, 'share_group');
  if (!sg) return fault(ctx, 400, "'share_group' is missing from the request body.");
  const valid = ['name', 'description', 'share_types', 'share_group_type_id', 'source_share_group_snapshot_id', 'share_network_id', 'availability_zone'];
  const invalid = Object.keys(sg).filter((k) => !valid.includes(k));
  if (invalid.length > 0) return fault(ctx, 400, `The fields ${pySet(invalid)} are invalid.`);
  const hasSource = 'source_share_group_snapshot_id' in sg;
  if ('share_types' in sg && hasSource) {
    return fault(ctx, 400, "Cannot supply both 'share_types' and 'source_share_group_snapshot_id' attributes.");
  }
  const st = ctx.state;
  let shareTypes = sg.share_types;
  if (!(Array.isArray(shareTypes) ? shareTypes.length > 0 : Boolean(shareTypes)) && !hasSource) {
    const def = st.defaultShareType();
    if (!def) return fault(ctx, 400, 'Must specify at least one share type as a default share type has not been configured.');
    shareTypes = [def.id];
  }
  if (shareTypes && (!Array.isArray(shareTypes) || !shareTypes.every(isUuidLike))) {
    return fault(ctx, 400, "The 'share_types' attribute must be a list of uuids");
  }
  if ('share_network_id' in sg && hasSource) {
    return fault(ctx, 400, "Cannot supply both 'share_network_id' and 'source_share_group_snapshot_id' attributes as the share network is inherited from the source.");
  }
  let az: { id: string; name: string } | null = null;
  if (sg.availability_zone) {
    if (hasSource) {
      return fault(ctx, 400, "Cannot supply both 'availability_zone' and 'source_share_group_snapshot_id' attributes as the availability zone is inherited from the source.");
    }
    if (sg.availability_zone !== AVAILABILITY_ZONE.name && sg.availability_zone !== AVAILABILITY_ZONE.id) {
      return fault(ctx, 404, 'Availability zone %(id)s could not be found.');
    }
    az = AVAILABILITY_ZONE;
  }
  if (hasSource && !isUuidLike(sg.source_share_group_snapshot_id)) {
    return fault(ctx, 400, "The 'source_share_group_snapshot_id' attribute must be a uuid.");
  }
  if (!hasSource && 'share_network_id' in sg && !isUuidLike(sg.share_network_id)) {
    return fault(ctx, 400, "The 'share_network_id' attribute must be a uuid.");
  }
  // The API layer only picks the type: the source snapshot's group type is not inherited (verified on Zed).
  let groupTypeId: string;
  if ('share_group_type_id' in sg) {
    if (!isUuidLike(sg.share_group_type_id)) return fault(ctx, 400, "The 'share_group_type_id' attribute must be a uuid.");
    groupTypeId = String(sg.share_group_type_id);
  } else {
    const def = st.defaultShareGroupType();
    if (!def) return fault(ctx, 400, 'Must specify a share group type as a default share group type has not been configured.');
    groupTypeId = def.id;
  }

  // From here on, `share_group.api.API.create`: every failure is InvalidInput (400) unless noted.
  let typeIds: string[] = hasSource ? [] : (shareTypes as string[]).map(String);
  let networkId: string | null = !hasSource && 'share_network_id' in sg ? String(sg.share_network_id) : null;
  let snap: GroupSnapshotRow | undefined;
  let source: ShareGroupRow | undefined;
  if (hasSource) {
    const snapId = String(sg.source_share_group_snapshot_id);
    snap = own(ctx, st.shareGroupSnapshots.get(snapId));
    if (!snap) return fault(ctx, 400, `Share group snapshot ${snapId} could not be found.`);
    // Zed bug: InvalidShareGroupSnapshot's template is sent unformatted.
    if (snap.status !== 'available') return fault(ctx, 409, 'Invalid share group snapshot: %(reason)s');
    source = st.shareGroups.get(snap.group_id);
    typeIds = source ? [...source.share_types] : [];
    networkId = source?.share_network_id ?? null;
  }
  let dhss: boolean | null = null;
  for (const id of typeIds) {
    // Read as the caller: a non-admin does not find a private type (no access lists are simulated).
    const type = visibleType(ctx, st.shareTypes.get(id));
    // Zed passes the whole text as InvalidInput's message, so there is no "Invalid input received:" prefix.
    if (!type) return fault(ctx, 400, `Share type with id ${id} could not be found.`);
    if (Object.keys(type.extra_specs).length === 0) continue;
    const handles = boolFromString(type.extra_specs.driver_handles_share_servers);
    if (dhss === null) dhss = handles;
    else if (dhss !== handles) {
      return fault(ctx, 400, 'Invalid input received: The specified share_types cannot have conflicting values for the driver_handles_share_servers extra spec.');
    }
    if (!handles && networkId) {
      return fault(ctx, 400, 'Invalid input received: When using a share types with the driver_handles_share_servers extra spec as False, a share_network_id must not be provided.');
    }
  }
  if (networkId && !own(ctx, st.shareNetworks.get(networkId))) {
    return fault(ctx, 400, 'Invalid input received: The specified share network does not exist.');
  }
  if (dhss && !(hasSource || networkId)) {
    return fault(ctx, 400, 'Invalid input received: When using a share type with the driver_handles_share_servers extra spec as True, a share_network_id must be provided.');
  }
  const groupType = visibleType(ctx, st.shareGroupTypes.get(groupTypeId));
  if (!groupType) return fault(ctx, 400, `Invalid input received: The specified share group type ${groupTypeId} does not exist.`);
  if (!typeIds.every((id) => groupType.share_types.includes(id))) {
    return fault(ctx, 400, 'Invalid input received: The specified share types must be a subset of the share types supported by the share group type.');
  }

  // consistent_snapshot_support stays null until the (simulated) share manager creates the group.
  const row: ShareGroupRow = {
    id: newId(), name: str(sg.name), description: str(sg.description), status: 'creating', created_at: manilaTime(),
    project_id: ctx.projectId, user_id: ctx.caller.userId, host: source?.host ?? null, share_group_type_id: groupTypeId,
    source_share_group_snapshot_id: snap?.id ?? null, share_network_id: networkId,
    share_server_id: source?.share_server_id ?? null, share_types: typeIds,
    availability_zone: source ? source.availability_zone : (az?.name ?? null),
    availability_zone_id: source ? source.availability_zone_id : (az?.id ?? null),
    consistent_snapshot_support: null,
  };
  st.shareGroups.set(row.id, row);
  for (const m of snap?.members ?? []) {
    const share = newShareRow(ctx, {
      size: m.size, share_proto: m.share_proto, share_type_id: m.share_type_id, share_group_id: row.id,
      source_share_group_snapshot_member_id: m.id, share_network_id: row.share_network_id,
    });
    st.shares.set(share.id, share);
    st.schedule('share', share.id, 'available');
  }
  st.schedule('share_group', row.id, 'available');
  return reply(ctx, 202, { share_group: shareGroupDetail(ctx, row) });
}

function update(ctx: Ctx, id: string): SimResponse {
  return updateNameDescription(ctx, 'share_group', () => own(ctx, ctx.state.shareGroups.get(id)), () => notFound(ctx, id), (g) =>
    shareGroupDetail(ctx, g),
  );
}

function remove(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const g = own(ctx, st.shareGroups.get(id));
  if (!g) return notFound(ctx, id);
  // Zed bug #2007060: the conflict message is the exception template, never formatted.
  const conflict = 'Invalid share group: %(reason)s';
  if (g.status !== 'available' && g.status !== 'error') return fault(ctx, 409, conflict);
  if (st.snapshotsOfGroup(id).length > 0) return fault(ctx, 409, conflict);
  if (st.sharesInGroup(id).length > 0) return fault(ctx, 409, conflict);
  if (!g.host) {
    st.shareGroups.delete(id);
  } else {
    g.status = 'deleting';
    st.schedule('share_group', id, 'gone');
  }
  return reply(ctx, 202);
}

function forceDelete(ctx: Ctx, id: string): void {
  const st = ctx.state;
  for (const s of st.snapshotsOfGroup(id)) st.shareGroupSnapshots.delete(s.id);
  for (const s of st.sharesInGroup(id)) st.shares.delete(s.id);
  st.shareGroups.delete(id);
  st.cancel('share_group', id);
}

export function routeShareGroups(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, sub, extra] = rest;
  if (extra !== undefined) return undefined;
  if (id === undefined) {
    if (m !== 'GET' && m !== 'POST') return undefined;
    return shareGroupGate(ctx) ?? (m === 'GET' ? list(ctx, false) : authorizeController(ctx, 'share_group:create') ?? create(ctx));
  }
  if (sub === 'action') {
    if (m !== 'POST') return undefined;
    return adminAction(ctx, id, {
      resource: 'share_group',
      actions: { reset_status: 'reset', force_delete: 'force' },
      gate: (c) => shareGroupGate(c),
      exists: (x) => own(ctx, ctx.state.shareGroups.get(x)) !== undefined,
      setStatus: (x, status) => {
        const g = ctx.state.shareGroups.get(x);
        if (g) g.status = status;
        ctx.state.cancel('share_group', x);
      },
      forceDelete: (x) => forceDelete(ctx, x),
    });
  }
  if (sub !== undefined) return undefined;
  if (id === 'detail' && m === 'GET') return shareGroupGate(ctx) ?? list(ctx, true);
  const gate = () => shareGroupGate(ctx);
  switch (m) {
    case 'GET': {
      const denied = gate();
      if (denied) return denied;
      const g = own(ctx, ctx.state.shareGroups.get(id));
      return g ? reply(ctx, 200, { share_group: shareGroupDetail(ctx, g) }) : notFound(ctx, id);
    }
    case 'PUT':
      return gate() ?? authorizeController(ctx, 'share_group:update') ?? update(ctx, id);
    case 'DELETE':
      return gate() ?? authorizeController(ctx, 'share_group:delete') ?? remove(ctx, id);
    default:
      return undefined;
  }
}
