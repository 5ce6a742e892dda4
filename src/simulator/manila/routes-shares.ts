import type { SimResponse } from '../server.js';
import { likeContains } from './like.js';
import { AVAILABILITY_ZONE, manilaTime, newId, type ShareRow } from './state.js';
import {
  NOT_FOUND_TEXT, atLeast, boolFromString, collectionLinks, entity, fault, isDict, isUuidLike, limited, reply, selfLinks, str,
  type Ctx,
} from './wire.js';
import { authorizeController, checkPolicy, inScope, own, strictAllTenants } from './policy.js';
import { adminAction } from './actions.js';
import { shareQuotaRefusal } from './routes-quotas.js';

/** `/shares`: list, show, create, delete and the admin actions. Share networks: routes-share-networks.ts. */

const PROTOCOLS = ['NFS', 'CIFS', 'GLUSTERFS', 'HDFS', 'CEPHFS', 'MAPRFS'];

export function newShareRow(ctx: Ctx, p: Partial<ShareRow> & Pick<ShareRow, 'size' | 'share_proto' | 'share_type_id'>): ShareRow {
  return {
    id: newId(), name: null, description: null, status: 'creating', share_network_id: null, share_server_id: null,
    share_group_id: null, source_share_group_snapshot_member_id: null, consistency_group_id: null,
    source_cgsnapshot_member_id: null, snapshot_id: null, availability_zone: AVAILABILITY_ZONE.name,
    created_at: manilaTime(), project_id: ctx.projectId, user_id: ctx.caller.userId, host: null, is_public: false, metadata: {},
    export_locations: [], ...p,
  };
}

/** share/api.py get: `share_get` has no project filter; a private share another project's caller may not read is NotFound. */
function readable(ctx: Ctx, s: ShareRow | undefined): ShareRow | undefined {
  return s && (s.is_public || own(ctx, s)) ? s : undefined;
}

function shareDetail(ctx: Ctx, s: ShareRow): Record<string, unknown> {
  const type = s.share_type_id ? ctx.state.shareTypes.get(s.share_type_id) : undefined;
  const specs = type?.extra_specs ?? {};
  const d: Record<string, unknown> = {
    id: s.id, size: s.size, availability_zone: s.availability_zone, created_at: s.created_at, status: s.status,
    name: s.name, description: s.description, project_id: s.project_id, snapshot_id: s.snapshot_id,
    share_network_id: s.share_network_id, share_proto: s.share_proto, metadata: { ...s.metadata },
    share_type: atLeast(ctx, '2.6') ? s.share_type_id : (type?.name ?? null), volume_type: type?.name ?? null,
    links: selfLinks(ctx, 'shares', s.id),
  };
  if (atLeast(ctx, '2.8')) d.is_public = s.is_public;
  if (!atLeast(ctx, '2.9')) {
    d.export_location = s.export_locations[0] ?? null;
    d.export_locations = [...s.export_locations];
  }
  // views/shares.py: host and share_server_id for context.is_admin only.
  if (ctx.caller.isAdmin) {
    d.host = s.host ?? '';
    d.share_server_id = s.share_server_id;
  }
  if (atLeast(ctx, '2.2')) d.snapshot_support = specs.snapshot_support === 'True';
  if (ctx.legacy && ctx.experimental && atLeast(ctx, '2.4')) {
    d.consistency_group_id = s.consistency_group_id;
    d.source_cgsnapshot_member_id = s.source_cgsnapshot_member_id;
  }
  if (atLeast(ctx, '2.5')) d.task_state = null;
  if (atLeast(ctx, '2.6')) d.share_type_name = type?.name ?? null;
  if (atLeast(ctx, '2.10')) d.access_rules_status = 'active';
  if (atLeast(ctx, '2.11')) {
    d.replication_type = null;
    d.has_replicas = false;
  }
  if (atLeast(ctx, '2.16')) d.user_id = s.user_id;
  if (atLeast(ctx, '2.24')) d.create_share_from_snapshot_support = specs.create_share_from_snapshot_support === 'True';
  if (atLeast(ctx, '2.27')) d.revert_to_snapshot_support = false;
  if (!ctx.legacy && atLeast(ctx, '2.31')) {
    d.share_group_id = s.share_group_id;
    d.source_share_group_snapshot_member_id = s.source_share_group_snapshot_member_id;
  }
  if (atLeast(ctx, '2.32')) d.mount_snapshot_support = false;
  // The backend reports progress; until then (and without one) it is null.
  if (atLeast(ctx, '2.54')) d.progress = s.status === 'available' ? '100%' : null;
  if (atLeast(ctx, '2.69')) {
    d.is_soft_deleted = false;
    d.scheduled_to_be_deleted_at = null;
  }
  return d;
}

// share/api.py _get_share_search_options: what a non-admin may filter by (the rest is dropped silently).
const MEMBER_SEARCH_OPTIONS = new Set([
  'name', 'status', 'share_server_id', 'volume_type_id', 'share_type_id', 'snapshot_id', 'host', 'share_network_id',
  'is_public', 'metadata', 'extra_specs', 'sort_key', 'sort_dir', 'share_group_id', 'share_group_snapshot_id',
  'export_location_id', 'export_location_path', 'name~', 'description~', 'description', 'limit', 'offset', 'is_soft_deleted',
]);

function listShares(ctx: Ctx, detail: boolean): SimResponse {
  const q = new URLSearchParams(ctx.req.query);
  const exact = ['share_group_id', 'status', 'name', 'description', 'share_type_id', 'share_network_id', 'project_id', 'snapshot_id', 'host'];
  if (ctx.legacy) exact.push('consistency_group_id');
  // v2 shares.py index/detail: the LIKE filters and `description` exist from 2.36 and are dropped below.
  if (!atLeast(ctx, '2.36')) for (const k of ['name~', 'description~', 'description']) q.delete(k);
  if (!ctx.caller.isAdmin) {
    for (const k of [...q.keys()]) if (!MEMBER_SEARCH_OPTIONS.has(k) && !(ctx.legacy && k === 'consistency_group_id')) q.delete(k);
  }
  // share/api.py _get_all: `host` needs share:list_by_host (admin); all_tenants counts for admins only.
  if (q.get('host') !== null) {
    const refused = checkPolicy(ctx, 'share:list_by_host');
    if (refused) return refused;
  }
  const all = strictAllTenants(ctx);
  if (typeof all !== 'boolean') return all;
  let rows = inScope(ctx.state.shares.values(), all ? null : ctx.projectId);
  const field = (s: ShareRow, key: string) => (s as unknown as Record<string, unknown>)[key];
  for (const key of exact) {
    const v = q.get(key);
    if (v !== null) rows = rows.filter((s) => String(field(s, key) ?? '') === v);
  }
  // db exact_filter: an exact name or description wins over its LIKE form (a case-sensitive LIKE on PostgreSQL).
  for (const key of ['name~', 'description~']) {
    const v = q.get(key);
    if (v !== null && q.get(key.slice(0, -1)) === null) rows = rows.filter((s) => likeContains(field(s, key.slice(0, -1)), v));
  }
  const sortKey = q.get('sort_key') ?? 'created_at';
  const sign = (q.get('sort_dir') ?? 'desc').toLowerCase() === 'asc' ? 1 : -1;
  rows.sort((a, b) => {
    const x = String(field(a, sortKey) ?? '');
    const y = String(field(b, sortKey) ?? '');
    return x < y ? -sign : x > y ? sign : 0;
  });
  const page = limited(ctx, rows);
  if (!Array.isArray(page)) return page;
  const body: Record<string, unknown> = {
    shares: page.map((s) => (detail ? shareDetail(ctx, s) : { id: s.id, name: s.name, links: selfLinks(ctx, 'shares', s.id) })),
  };
  const links = collectionLinks(ctx, 'shares', page);
  if (links.length > 0) body.shares_links = links;
  return reply(ctx, 200, body);
}

/**
 * `POST /shares` (v1/shares.py `_create`, then share/api.py `create`), in Manila's order. Zed sends some
 * NotFound templates unformatted (`e.message`); a group without an availability zone fails on the lookup of
 * zone None (the share manager sets the zone when it creates the group).
 */
function createShare(ctx: Ctx): SimResponse {
  const st = ctx.state;
  const body = entity(ctx.req.body, 'share');
  if (!body) {
    return fault(ctx, 422, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  if (body.is_public === true) {
    const refused = checkPolicy(ctx, 'share:create_public_share');
    if (refused) return refused;
  }
  let azName: string | null = null;
  let azId: string | null = null;
  if (body.availability_zone) {
    const given = String(body.availability_zone);
    if (given !== AVAILABILITY_ZONE.name && given !== AVAILABILITY_ZONE.id) return fault(ctx, 404, 'Availability zone %(id)s could not be found.');
    [azName, azId] = [AVAILABILITY_ZONE.name, AVAILABILITY_ZONE.id];
  }
  // Group membership is decided here and only here (dropped silently below the version that knows it).
  const groupId = !ctx.legacy && atLeast(ctx, '2.31') ? str(body.share_group_id) : null;
  const group = groupId ? own(ctx, st.shareGroups.get(groupId)) : undefined;
  if (groupId) {
    if (!group) return fault(ctx, 404, 'Share group %(share_group_id)s could not be found.');
    if (azId && azId !== group.availability_zone_id) {
      return fault(ctx, 400, `Invalid input received: Share cannot have AZ ('${azId}') different than share group's one (${group.availability_zone_id ?? 'None'}).`);
    }
    if (!group.availability_zone_id) return fault(ctx, 404, 'AvailabilityZoneNotFound: Availability zone None could not be found.');
    azName = group.availability_zone;
  }
  const networkId = str(body.share_network_id);
  if (networkId && !own(ctx, st.shareNetworks.get(networkId))) return fault(ctx, 404, `Share network ${networkId} could not be found.`);
  if ('share_type' in body && 'volume_type' in body) return fault(ctx, 400, 'Cannot specify both share_type and volume_type');
  const typeRef = body.share_type ?? body.volume_type;
  const type = typeRef
    ? [...st.shareTypes.values()].find((t) => (isUuidLike(typeRef) ? t.id === typeRef : t.name === typeRef) && (t.is_public || ctx.caller.isAdmin))
    : st.defaultShareType();
  if (typeRef && !type) return fault(ctx, 404, 'Share type not found.');
  if (!networkId && !groupId && type && boolFromString(type.extra_specs.driver_handles_share_servers)) {
    return fault(ctx, 400, 'Share network must be set when the driver_handles_share_servers is true.');
  }
  const size = body.size;
  if (!(typeof size === 'number' || typeof size === 'string') || !/^[+-]?\d+$/.test(String(size).trim()) || Number(size) <= 0) {
    return fault(ctx, 400, `Invalid input received: Share size '${String(size)}' must be an integer and greater than 0.`);
  }
  const proto = String(body.share_proto ?? '').toUpperCase();
  if (!PROTOCOLS.includes(proto)) {
    return fault(ctx, 400, `Invalid input received: Invalid share protocol provided: ${String(body.share_proto ?? '')}. It is either disabled or unsupported. Available protocols: [${PROTOCOLS.map((p) => `'${p}'`).join(', ')}].`);
  }
  const overQuota = shareQuotaRefusal(ctx, Number(size));
  if (overQuota) return overQuota;
  if (group) {
    if (group.status !== 'available') return fault(ctx, 400, `Share group status must be available, got ${group.status}.`);
    if (type && !group.share_types.includes(type.id)) {
      return fault(ctx, 400, `The specified share type (${type.id}) is not supported by the specified share group (${group.id}).`);
    }
    if (group.share_network_id !== networkId) {
      return fault(ctx, 400, `The specified share network (${networkId ?? 'None'}) is not supported by the specified share group (${group.id}).`);
    }
  }
  const row = newShareRow(ctx, {
    size: Number(size), share_proto: proto, share_type_id: type?.id ?? null, name: str(body.name), description: str(body.description),
    is_public: body.is_public === true, share_network_id: networkId, availability_zone: azName,
    metadata: isDict(body.metadata) ? (body.metadata as Record<string, string>) : {},
    // A share in a group goes to the group's backend (share/api.py create: `host = share_group['host']`).
    host: group?.host ?? null, share_group_id: group?.id ?? null,
  });
  const cgId = ctx.legacy && ctx.experimental && atLeast(ctx, '2.4') ? str(body.consistency_group_id) : null;
  if (cgId) {
    const cg = own(ctx, st.consistencyGroups.get(cgId));
    if (!cg) return fault(ctx, 404, `Consistency group ${cgId} not found.`);
    if (!type || !cg.share_types.includes(type.id)) {
      return fault(ctx, 400, `Invalid parameter value: The specified share type (${type?.id ?? 'None'}) is not supported by the specified consistency group (${cg.id}).`);
    }
    if (cg.status !== 'available') return fault(ctx, 400, `Invalid consistency group: Consistency group status must be available, not ${cg.status}.`);
    row.consistency_group_id = cg.id;
    row.share_network_id = cg.share_network_id;
  }
  st.shares.set(row.id, row);
  st.schedule('share', row.id, 'available');
  return reply(ctx, 200, { share: shareDetail(ctx, row) });
}

/** The admin actions a fixture needs: `reset_status` and `force_delete` (`os-` names below 2.7). */
function shareAction(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const modern = atLeast(ctx, '2.7');
  return adminAction(ctx, id, {
    resource: 'share',
    actions: modern ? { reset_status: 'reset', force_delete: 'force' } : { 'os-reset_status': 'reset', 'os-force_delete': 'force' },
    gate: () => undefined,
    exists: (x) => readable(ctx, st.shares.get(x)) !== undefined,
    setStatus: (x, status) => {
      const s = st.shares.get(x);
      if (s) s.status = status;
      st.cancel('share', x);
    },
    forceDelete: (x) => {
      const s = st.shares.get(x);
      if (s?.host) {
        s.status = 'deleting';
        st.schedule('share', x, 'gone');
      } else {
        st.shares.delete(x);
        st.cancel('share', x);
      }
    },
  });
}

function deleteShare(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const s = readable(ctx, st.shares.get(id));
  if (!s) return fault(ctx, 404, NOT_FOUND_TEXT);
  const q = ctx.req.query;
  // v1/shares.py delete: the group's id must come with the request (a consistency group's before Ocata).
  if (ctx.legacy) {
    const given = q.get('consistency_group_id');
    if (s.consistency_group_id && given === null) {
      return fault(ctx, 400, "Must provide 'consistency_group_id' as a request parameter when deleting a share in a consistency group.");
    }
    if (s.consistency_group_id && given !== s.consistency_group_id) {
      return fault(ctx, 400, "The specified 'consistency_group_id' does not match the consistency group id of the share.");
    }
  } else if (s.share_group_id) {
    const given = q.get('share_group_id');
    if (!given) return fault(ctx, 400, "Must provide 'share_group_id' as a request parameter when deleting a share in a share group.");
    if (given !== s.share_group_id) return fault(ctx, 400, "The specified 'share_group_id' does not match the share group id of the share.");
  }
  // share/api.py delete is wrapped in check_policy('share', target=the share): PolicyNotAuthorized's text.
  const refused = checkPolicy(ctx, 'share:delete', s.project_id);
  if (refused) return refused;
  // InvalidShare -> HTTPForbidden(explanation=e.message): Zed sends the template, placeholder and all.
  if (!['available', 'error', 'inactive'].includes(s.status)) return fault(ctx, 403, 'Invalid share: %(reason)s.');
  const members = [...st.shareGroupSnapshots.values(), ...st.cgSnapshots.values()].some((g) => g.members.some((m) => m.share_id === id));
  if (members) return fault(ctx, 403, 'Invalid share: %(reason)s.');
  if (!s.host) {
    // share/api.py delete: an instance that never reached a backend is removed at once.
    st.shares.delete(id);
    st.cancel('share', id);
  } else {
    s.status = 'deleting';
    st.schedule('share', id, 'gone');
  }
  return reply(ctx, 202);
}

export function routeShares(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, extra, more] = rest;
  if (more !== undefined) return undefined;
  if (id !== undefined && extra === 'action') return m === 'POST' ? shareAction(ctx, id) : undefined;
  if (extra !== undefined) return undefined;
  if (id === undefined) {
    if (m === 'GET') return listShares(ctx, false);
    if (m === 'POST') return authorizeController(ctx, 'share:create') ?? createShare(ctx);
    return undefined;
  }
  if (id === 'detail' && m === 'GET') return listShares(ctx, true);
  if (m === 'GET') {
    const s = readable(ctx, ctx.state.shares.get(id));
    return s ? reply(ctx, 200, { share: shareDetail(ctx, s) }) : fault(ctx, 404, NOT_FOUND_TEXT);
  }
  if (m === 'DELETE') return deleteShare(ctx, id);
  return undefined;
}
