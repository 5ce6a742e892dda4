/**
 * `GET /v1/{project_id}/protected-instances`, `/replications` and `/disaster-recovery-drills`, each with its show
 * (`…/{id}`), as the API reference pages "Querying Protected Instances", "Querying Replication Pairs", "Querying
 * DR Drills" and their "Querying Details About…" pages describe them.
 *
 * Choices where the reference is silent (UNCONFIRMED against a live service):
 * - Order: newest first (created_at, then id), as the group listing.
 * - `server_group_ids` / `protected_instance_ids`: the text says `['id1','id2']`, the example sends
 *   `["id1","id2"]`; both are read. More than 30 ids, or a value that is not a bracketed list: 400 SDRS.0201.
 *   Ids that are not valid match nothing ("all ... with valid server_group_id ... are returned").
 * - A `server_group_id` that names no group gives an empty list, not SDRS.1013.
 * - `query_type` other than `status_abnormal`, `general` or empty: 400 SDRS.0201. Abnormal means an `error…`
 *   status, `invalid` or `fault` (and, for pairs, a fault_level other than 0).
 * - Unknown or malformed ids on a show: 400 with the kind's "not found" code (SDRS.1320, SDRS.1608, SDRS.1902).
 * - Timestamps: pairs use "yyyy-MM-ddTHH:mm:ss.SSSZ" (the pair pages' field description), instances and drills the
 *   simulator's `timestampFormat` ("yyyy-MM-dd HH:mm:ss.SSS" on their pages).
 */
import type { SimResponse } from '../server.js';
import type { SdrsDrillRecord, SdrsInstanceRecord, SdrsPairRecord } from './members.js';
import type { SdrsState } from './state.js';
import {
  SDRS_ERRORS as E,
  formatTimestamp,
  sdrsError,
  type SdrsDrillWire,
  type SdrsProtectedInstanceWire,
  type SdrsReplicationPairWire,
} from './wire.js';

export const MEMBER_RESOURCES = ['protected-instances', 'replications', 'disaster-recovery-drills'] as const;
export type MemberResource = (typeof MEMBER_RESOURCES)[number];

const MAX_LIST_IDS = 30;
const err = (e: readonly [string, string], detail?: string): SimResponse =>
  sdrsError(400, e[0], detail === undefined ? e[1] : `${e[1]}: ${detail}`);

export function renderInstance(state: SdrsState, i: SdrsInstanceRecord): SdrsProtectedInstanceWire {
  return {
    id: i.id,
    name: i.name,
    description: i.description,
    server_group_id: i.server_group_id,
    status: i.status,
    progress: i.progress,
    source_server: i.source_server,
    target_server: i.target_server,
    created_at: state.ts(i.createdAtMs),
    updated_at: state.ts(i.updatedAtMs),
    priority_station: state.groups.get(i.server_group_id)?.priority_station ?? 'source',
    attachment: state.members.pairsOfInstance(i).map((p) => ({ replication: p.id, device: p.attachedTo!.device })),
    tags: i.tags.map((t) => ({ ...t })),
    metadata: i.frozen ? { __system__frozen: 'true' } : {},
  };
}

export function renderPair(state: SdrsState, p: SdrsPairRecord): SdrsReplicationPairWire {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    replication_model: 'hypermetro',
    status: p.status,
    progress: p.progress,
    replication_status: p.replication_status,
    attachment: p.attachedTo ? [{ device: p.attachedTo.device, protected_instance: p.attachedTo.protectedInstanceId }] : [],
    server_group_id: p.server_group_id,
    volume_ids: p.volumeIds.join(','),
    priority_station: state.groups.get(p.server_group_id)?.priority_station ?? 'source',
    fault_level: p.fault_level,
    created_at: formatTimestamp(p.createdAtMs, 'iso'),
    updated_at: formatTimestamp(p.updatedAtMs, 'iso'),
    record_metadata: { multiattach: p.multiattach, bootable: p.bootable, volume_size: p.volumeSize, volume_type: p.volumeType },
    ...(p.status === 'error' && p.failureDetail !== null ? { failure_detail: p.failureDetail } : {}),
  };
}

export function renderDrill(state: SdrsState, d: SdrsDrillRecord): SdrsDrillWire {
  return {
    id: d.id,
    name: d.name,
    status: d.status,
    server_group_id: d.server_group_id,
    drill_vpc_id: d.drill_vpc_id,
    created_at: state.ts(d.createdAtMs),
    updated_at: state.ts(d.updatedAtMs),
    drill_servers: d.drill_servers.map((s) => ({ ...s })),
  };
}

/** `['a','b']` or `["a","b"]` (URL-decoded already): the ids, or null when the value is not such a list. */
export function parseIdList(raw: string): string[] | null {
  const m = /^\s*\[(.*)\]\s*$/s.exec(raw);
  if (!m) return null;
  const inner = m[1]!.trim();
  if (inner === '') return [];
  const ids: string[] = [];
  for (const part of inner.split(',')) {
    const q = /^\s*(['"])([^'"]*)\1\s*$/.exec(part);
    if (!q) return null;
    ids.push(q[2]!);
  }
  return ids;
}

type Filter<T> = (item: T) => boolean;

/** Limit, offset and the id-list filters shared by the three listings; a SimResponse is a refusal. */
function paging(query: URLSearchParams): { limit: number; offset: number } | SimResponse {
  const count = (raw: string | null, dflt: number) => (raw === null ? dflt : /^\d{1,9}$/.test(raw) ? Number(raw) : null);
  const limit = count(query.get('limit'), 1000);
  if (limit === null || limit > 1000) return err(E.invalidLimit);
  const offset = count(query.get('offset'), 0);
  if (offset === null) return err(E.invalidOffset);
  return { limit, offset };
}

function idList(query: URLSearchParams, key: string): Set<string> | null | SimResponse {
  const raw = query.get(key);
  if (raw === null) return null;
  const ids = parseIdList(raw);
  if (ids === null) return err(E.invalidParams, `${key} must look like ['id1','id2']`);
  if (ids.length > MAX_LIST_IDS) return err(E.invalidParams, `${key} takes at most ${MAX_LIST_IDS} ids`);
  return new Set(ids);
}

const isRefusal = (v: unknown): v is SimResponse => typeof v === 'object' && v !== null && 'status' in v && !(v instanceof Set);
const ABNORMAL = (s: string) => s === 'error' || s.startsWith('error-') || s === 'invalid' || s === 'fault';

/** `server_group_ids` wins over `server_group_id` (both pages say so). */
function groupFilter<T extends { server_group_id: string }>(query: URLSearchParams): Filter<T> | SimResponse {
  const ids = idList(query, 'server_group_ids');
  if (isRefusal(ids)) return ids;
  if (ids !== null) return (m) => ids.has(m.server_group_id);
  const one = query.get('server_group_id');
  return one === null || one === '' ? () => true : (m) => m.server_group_id === one;
}

function queryTypeFilter<T extends { status: string }>(query: URLSearchParams, extra: Filter<T> = () => false): Filter<T> | SimResponse {
  const qt = query.get('query_type') ?? '';
  if (qt === '' || qt === 'general') return () => true;
  if (qt === 'status_abnormal') return (m) => ABNORMAL(m.status) || extra(m);
  return err(E.invalidParams, `query_type '${qt}'`);
}

function commonFilters<T extends { name: string; status: string; server_group_id: string }>(state: SdrsState, query: URLSearchParams): Filter<T>[] {
  const name = query.get('name')?.toLowerCase();
  const status = query.get('status');
  const az = query.get('availability_zone');
  return [
    (m) => name === undefined || name === '' || m.name.toLowerCase().includes(name),
    (m) => status === null || status === '' || m.status === status,
    (m) => {
      if (az === null || az === '') return true;
      const g = state.groups.get(m.server_group_id);
      return g !== undefined && state.productionAz(g) === az;
    },
  ];
}

function list<T extends { createdAtMs: number; id: string; projectId: string }>(
  all: T[],
  projectId: string,
  filters: (Filter<T> | SimResponse)[],
  query: URLSearchParams,
  key: string,
  render: (t: T) => unknown,
): SimResponse {
  const page = paging(query);
  if (isRefusal(page)) return page;
  const refused = filters.find(isRefusal);
  if (refused) return refused;
  const fs = filters as Filter<T>[];
  const matching = all
    .filter((m) => m.projectId === projectId && fs.every((f) => f(m)))
    .sort((a, b) => b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id));
  return { status: 200, json: { [key]: matching.slice(page.offset, page.offset + page.limit).map(render), count: matching.length } };
}

export function listMembers(state: SdrsState, resource: MemberResource, projectId: string, query: URLSearchParams): SimResponse {
  const m = state.members;
  if (resource === 'protected-instances') {
    const byGroup = groupFilter<SdrsInstanceRecord>(query);
    const groupGiven = query.get('server_group_ids') !== null || (query.get('server_group_id') ?? '') !== '';
    // protected_instance_ids is ignored when a group filter is given.
    const ids = groupGiven ? null : idList(query, 'protected_instance_ids');
    const byId: Filter<SdrsInstanceRecord> | SimResponse = isRefusal(ids) ? ids : ids === null ? () => true : (i) => ids.has(i.id);
    return list(m.instances.all(), projectId, [byGroup, byId, queryTypeFilter(query), ...commonFilters(state, query)], query,
      'protected_instances', (i) => renderInstance(state, i));
  }
  if (resource === 'replications') {
    const ids = idList(query, 'protected_instance_ids');
    const one = query.get('protected_instance_id');
    // protected_instance_ids wins over protected_instance_id.
    const byInstance: Filter<SdrsPairRecord> | SimResponse = isRefusal(ids)
      ? ids
      : ids !== null
        ? (p) => p.attachedTo !== null && ids.has(p.attachedTo.protectedInstanceId)
        : one === null || one === ''
          ? () => true
          : (p) => p.attachedTo?.protectedInstanceId === one;
    const faulty: Filter<SdrsPairRecord> = (p) => p.fault_level !== '0';
    return list(m.pairs.all(), projectId, [groupFilter<SdrsPairRecord>(query), byInstance, queryTypeFilter(query, faulty),
      ...commonFilters(state, query)], query, 'replications', (p) => renderPair(state, p));
  }
  const one = query.get('server_group_id');
  const name = query.get('name')?.toLowerCase();
  const status = query.get('status');
  const vpc = query.get('drill_vpc_id');
  const drillFilters: Filter<SdrsDrillRecord>[] = [
    (d) => one === null || one === '' || d.server_group_id === one,
    (d) => name === undefined || name === '' || d.name.toLowerCase().includes(name),
    (d) => status === null || status === '' || d.status === status,
    (d) => vpc === null || vpc === '' || d.drill_vpc_id === vpc,
  ];
  return list(m.drills.all(), projectId, drillFilters, query, 'disaster_recovery_drills', (d) => renderDrill(state, d));
}

export function showMember(state: SdrsState, resource: MemberResource, projectId: string, id: string): SimResponse {
  const m = state.members;
  const mine = <T extends { projectId: string }>(t: T | undefined) => (t?.projectId === projectId ? t : undefined);
  if (resource === 'protected-instances') {
    const i = mine(m.instances.byId.get(id));
    return i ? { status: 200, json: { protected_instance: renderInstance(state, i) } } : err(E.instanceNotFound, id);
  }
  if (resource === 'replications') {
    const p = mine(m.pairs.byId.get(id));
    return p ? { status: 200, json: { replication: renderPair(state, p) } } : err(E.pairNotFound, id);
  }
  const d = mine(m.drills.byId.get(id));
  return d ? { status: 200, json: { disaster_recovery_drill: renderDrill(state, d) } } : err(E.drillNotFound, id);
}
