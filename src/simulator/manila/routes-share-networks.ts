import type { SimResponse } from '../server.js';
import { AVAILABILITY_ZONE, manilaTime, newId, type ShareNetworkRow } from './state.js';
import { atLeast, fault, isDict, limited, queryObject, reply, str, type Ctx } from './wire.js';
import { checkPolicy, inScope, own, strictAllTenants } from './policy.js';

/** `/share-networks` (manila/api/v2/share_networks.py in Zed): reads, create, delete. */

function networkView(ctx: Ctx, n: ShareNetworkRow): Record<string, unknown> {
  const d: Record<string, unknown> = {
    id: n.id, name: n.name, project_id: n.project_id, created_at: n.created_at, updated_at: n.updated_at,
    description: n.description,
  };
  const net = {
    segmentation_id: n.segmentation_id, neutron_net_id: n.neutron_net_id, neutron_subnet_id: n.neutron_subnet_id,
    ip_version: n.ip_version, cidr: n.cidr, network_type: n.network_type,
  };
  if (atLeast(ctx, '2.51')) {
    // Exactly these keys, in this order, at 2.51-2.73 (share_network_id/name and metadata are not in Zed's view).
    d.share_network_subnets = [{
      id: n.subnet_id, availability_zone: n.subnet_availability_zone, created_at: n.subnet_created_at,
      updated_at: n.updated_at, ...net, mtu: n.mtu, gateway: n.gateway,
    }];
  } else {
    Object.assign(d, net);
    if (!atLeast(ctx, '2.26')) d.nova_net_id = null;
    if (atLeast(ctx, '2.18')) d.gateway = n.gateway;
    if (atLeast(ctx, '2.20')) d.mtu = n.mtu;
  }
  if (atLeast(ctx, '2.63')) {
    d.status = 'active';
    d.security_service_update_support = true;
  }
  if (atLeast(ctx, '2.70')) d.network_allocation_update_support = true;
  return d;
}

/**
 * `POST /share-networks` (Zed): 200 with the network and its default subnet. Unknown keys are ignored; Neutron ids
 * come both or neither; nothing else is required.
 */
function createNetwork(ctx: Ctx): SimResponse {
  const refused = checkPolicy(ctx, 'share_network:create');
  if (refused) return refused;
  const body = ctx.req.body;
  if (!isDict(body) || !('share_network' in body)) return fault(ctx, 422, 'Unable to process the contained instructions');
  const data = body.share_network;
  if (!isDict(data)) {
    return fault(ctx, 400, 'The server could not comply with the request since it is either malformed or otherwise incorrect.');
  }
  if ('nova_net_id' in data) return fault(ctx, 400, 'nova networking is not supported starting in Ocata.');
  const netId = str(data.neutron_net_id);
  const subnetId = str(data.neutron_subnet_id);
  if (Boolean(netId) !== Boolean(subnetId)) {
    return fault(ctx, 400, 'When creating a new share network subnet you need to specify both neutron_net_id and neutron_subnet_id or none of them.');
  }
  let az: string | null = null;
  if (data.availability_zone) {
    const given = String(data.availability_zone);
    if (given !== AVAILABILITY_ZONE.name && given !== AVAILABILITY_ZONE.id) {
      return fault(ctx, 400, `The provided availability zone ${given} does not exist.`);
    }
    az = AVAILABILITY_ZONE.name;
  }
  const now = manilaTime();
  const row: ShareNetworkRow = {
    id: newId(), name: str(data.name), description: str(data.description), project_id: ctx.projectId,
    created_at: now, updated_at: null, subnet_id: newId(), subnet_created_at: now, subnet_availability_zone: az,
    // Segmentation, CIDR and the rest are filled in by the network plugin when a share server is set up.
    neutron_net_id: netId || null, neutron_subnet_id: subnetId || null, network_type: null, segmentation_id: null,
    cidr: null, ip_version: null, gateway: null, mtu: null,
  };
  ctx.state.shareNetworks.set(row.id, row);
  return reply(ctx, 200, { share_network: networkView(ctx, row) });
}

function deleteNetwork(ctx: Ctx, id: string): SimResponse {
  const st = ctx.state;
  const refused = checkPolicy(ctx, 'share_network:delete');
  if (refused) return refused;
  if (!own(ctx, st.shareNetworks.get(id))) return fault(ctx, 404, `Share network ${id} could not be found.`);
  const shares = [...st.shares.values()].filter((s) => s.share_network_id === id).length;
  if (shares > 0) return fault(ctx, 409, `Can not delete share network ${id}, it has ${shares} share(s).`);
  const groups = [...st.shareGroups.values()].filter((g) => g.share_network_id === id).length;
  if (groups > 0) return fault(ctx, 409, `Can not delete share network ${id}, it has ${groups} share group(s).`);
  st.shareNetworks.delete(id);
  return reply(ctx, 202);
}

/**
 * share_networks.py `_get_share_networks`: every other query key is matched in Python against the network's
 * attributes (or its subnets'); from 2.36 a `key~` matches a substring. An unknown key matches nothing.
 */
function searchNetworks(ctx: Ctx, rows: ShareNetworkRow[]): ShareNetworkRow[] {
  const skip = new Set(['all_tenants', 'created_since', 'created_before', 'limit', 'offset', 'security_service_id', 'project_id']);
  let out = rows;
  for (const [key, raw] of queryObject(ctx.req.query)) {
    if (skip.has(key)) continue;
    const value: string | number = key === 'ip_version' || key === 'segmentation_id' ? Number(raw) : raw;
    const attr = (n: ShareNetworkRow, k: string) => (n as unknown as Record<string, unknown>)[k];
    out = out.filter((n) => {
      if (attr(n, key) === value) return true;
      if (key.endsWith('~') && atLeast(ctx, '2.36')) {
        const v = attr(n, key.slice(0, -1));
        return typeof v === 'string' && v.includes(String(value));
      }
      return false;
    });
  }
  return out;
}

export function routeShareNetworks(ctx: Ctx, rest: string[]): SimResponse | undefined {
  const m = ctx.req.method;
  const [id, extra] = rest;
  if (extra !== undefined) return undefined;
  if (id === undefined && m === 'POST') return createNetwork(ctx);
  if (id !== undefined && id !== 'detail' && m === 'DELETE') return deleteNetwork(ctx, id);
  if (m !== 'GET') return undefined;
  if (id === undefined || id === 'detail') {
    // share_networks.py _get_share_networks: an admin's project_id filter, else all_tenants, else its own project.
    const projectFilter = ctx.caller.isAdmin ? ctx.req.query.get('project_id') : null;
    const all = projectFilter === null ? strictAllTenants(ctx) : false;
    if (typeof all !== 'boolean') return all;
    const scope = projectFilter ?? (all ? null : ctx.projectId);
    // No ORDER BY in share_network_get_all_by_filter: rows come in the order the database keeps them.
    const rows = searchNetworks(ctx, inScope(ctx.state.shareNetworks.values(), scope));
    const page = limited(ctx, rows);
    if (!Array.isArray(page)) return page;
    if (id === undefined) return reply(ctx, 200, { share_networks: page.map((n) => ({ id: n.id, name: n.name })) });
    return reply(ctx, 200, { share_networks: page.map((n) => networkView(ctx, n)) });
  }
  const n = own(ctx, ctx.state.shareNetworks.get(id));
  return n ? reply(ctx, 200, { share_network: networkView(ctx, n) }) : fault(ctx, 404, `Share network ${id} could not be found.`);
}
