/**
 * `/v1/{project_id}/server-groups…`: list, show, create, rename, delete and the four actions.
 * Body-validation failures use the lower-case `badrequest` envelope; everything else uses `error`.
 */
import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../server.js';
import type { JobKind, SdrsGroupRecord, SdrsState } from './state.js';
import { SDRS_ERRORS as E, sdrsBadRequest, sdrsError, type GroupStatus, type PriorityStation } from './wire.js';

type ErrPair = readonly [string, string];
const bad = (e: ErrPair, detail?: string): SimResponse => sdrsBadRequest(e[0], detail === undefined ? e[1] : `${e[1]}: ${detail}`);
const err = (e: ErrPair, detail?: string): SimResponse => sdrsError(400, e[0], detail === undefined ? e[1] : `${e[1]}: ${detail}`);

const TRANSITIONAL: ReadonlySet<GroupStatus> = new Set<GroupStatus>([
  'creating', 'deleting', 'starting', 'reprotecting', 'stopping', 'failing-over', 'reversing',
]);
const ABNORMAL = (s: GroupStatus): boolean => s === 'error' || s.startsWith('error-');

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Non-negative decimal integer, or null when the text is anything else (empty, sign, fraction, exponent). */
function parseCount(raw: string): number | null {
  return /^\d{1,9}$/.test(raw) ? Number(raw) : null;
}

const QUERY_TYPES: Record<string, (g: SdrsGroupRecord, state: SdrsState) => boolean> = {
  general: () => true,
  // error statuses, or health reported abnormal by the platform
  status_abnormal: (g) => ABNORMAL(g.status) || g.health_status === 'abnormal',
  // protection disabled: never enabled / stopped (available), or broken by a failover (protected_status stopped)
  stop_protected: (g) => g.status === 'available' || g.protected_status === 'stopped',
  // the simulator keeps no drill history, so "no drill in the last 3 months" means "no drill at all"
  period_no_dr_drill: (g, state) => state.members.count('drills', g.id) === 0,
};

export function listGroups(state: SdrsState, projectId: string, query: URLSearchParams): SimResponse {
  const limitRaw = query.get('limit');
  const offsetRaw = query.get('offset');
  const limit = limitRaw === null ? 1000 : parseCount(limitRaw);
  if (limit === null || limit > 1000) return err(E.invalidLimit);
  const offset = offsetRaw === null ? 0 : parseCount(offsetRaw);
  if (offset === null) return err(E.invalidOffset);
  const queryType = query.get('query_type') ?? '';
  const typeFilter = queryType === '' ? QUERY_TYPES.general : QUERY_TYPES[queryType];
  if (typeFilter === undefined) return err(E.invalidParams, `query_type '${queryType}'`);
  const status = query.get('status');
  const name = query.get('name')?.toLowerCase();
  const az = query.get('availability_zone');
  const matching = [...state.groups.values()]
    .filter((g) => g.projectId === projectId)
    .filter((g) => typeFilter(g, state))
    .filter((g) => status === null || status === '' || g.status === status)
    .filter((g) => name === undefined || name === '' || g.name.toLowerCase().includes(name))
    .filter((g) => az === null || az === '' || state.productionAz(g) === az)
    .sort((a, b) => b.createdAtMs - a.createdAtMs || a.id.localeCompare(b.id));
  return {
    status: 200,
    json: {
      server_groups: matching.slice(offset, offset + limit).map((g) => state.renderGroup(g)),
      count: matching.length,
    },
  };
}

/** SDRS trap 18: an unknown group is HTTP 400 SDRS.1013, not 404. Malformed ids get the same answer. */
export function showGroup(state: SdrsState, projectId: string, id: string): SimResponse {
  const g = state.groupOf(projectId, id);
  if (g === undefined) return err(E.groupNotFound, id);
  return { status: 200, json: { server_group: state.renderGroup(g) } };
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Name rule from the create doc: 1–64 bytes of letters, digits, `.`, `_`, `-`. */
function checkName(name: unknown): SimResponse | null {
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(name) || byteLength(name) > 64) {
    return bad(E.invalidName, 'up to 64 letters, digits, ".", "_" or "-"');
  }
  return null;
}

export function createGroup(state: SdrsState, projectId: string, body: unknown): SimResponse {
  const sg = isRecord(body) ? body.server_group : undefined;
  if (!isRecord(sg)) return bad(E.invalidParams, 'server_group is required');
  const nameErr = checkName(sg.name);
  if (nameErr !== null) return nameErr;
  const description = sg.description ?? null;
  if (description !== null && (typeof description !== 'string' || /[<>]/.test(description) || byteLength(description) > 64)) {
    return bad(E.invalidDescription, 'at most 64 bytes, no "<" or ">"');
  }
  const domain = typeof sg.domain_id === 'string' ? state.domains.get(sg.domain_id) : undefined;
  if (domain === undefined) return bad(E.invalidDomain, String(sg.domain_id));
  const src = sg.source_availability_zone;
  const tgt = sg.target_availability_zone;
  if (typeof src !== 'string' || typeof tgt !== 'string' || src === tgt
    || !domain.availability_zones.includes(src) || !domain.availability_zones.includes(tgt)) {
    return bad(E.invalidAz, `source and target must be the two AZs of domain ${domain.id}: ${domain.availability_zones.join(', ')}`);
  }
  if (typeof sg.source_vpc_id !== 'string' || sg.source_vpc_id.trim() === '') return bad(E.invalidVpc, 'source_vpc_id is required');
  if (sg.dr_type !== undefined && sg.dr_type !== 'migration') return bad(E.invalidParams, "dr_type must be 'migration'");
  const now = state.now();
  const g: SdrsGroupRecord = {
    id: randomUUID(),
    projectId,
    name: sg.name as string,
    description: description as string | null,
    source_availability_zone: src,
    target_availability_zone: tgt,
    domain_id: domain.id,
    domain_name: domain.name,
    status: 'creating',
    protected_status: null,
    replication_status: null,
    health_status: null,
    progress: 0,
    priority_station: 'source',
    source_vpc_id: sg.source_vpc_id,
    target_vpc_id: sg.source_vpc_id,
    test_vpc_id: null,
    protection_type: 'replication-pair',
    replication_model: null,
    createdAtMs: now,
    updatedAtMs: now,
    tracksStatusFields: true,
  };
  state.groups.set(g.id, g);
  const job = state.startJob('create', g);
  return { status: 200, json: { job_id: job.job_id } };
}

export function renameGroup(state: SdrsState, projectId: string, id: string, body: unknown): SimResponse {
  const sg = isRecord(body) ? body.server_group : undefined;
  if (!isRecord(sg)) return bad(E.invalidParams, 'server_group is required');
  const nameErr = checkName(sg.name);
  if (nameErr !== null) return nameErr;
  const found = state.groupOf(projectId, id);
  if (found === undefined) return err(E.groupNotFound, id);
  found.name = sg.name as string;
  found.updatedAtMs = state.now();
  return { status: 200, json: { server_group: state.renderGroup(found) } };
}

/**
 * "Deleting a Protection Group": refused while it holds protected instances, replication pairs or DR drills. No
 * status rule is documented; we refuse only while another job holds the group.
 */
export function deleteGroup(state: SdrsState, projectId: string, id: string): SimResponse {
  const g = state.groupOf(projectId, id);
  if (g === undefined) return err(E.groupNotFound, id);
  if (TRANSITIONAL.has(g.status)) return err(E.wrongState, `status is '${g.status}'`);
  if (state.members.count('instances', g.id) > 0) return err(E.hasInstances);
  if (state.members.count('pairs', g.id) > 0) return err(E.hasPairs);
  if (state.members.count('drills', g.id) > 0) return err(E.hasDrills);
  const job = state.startJob('delete', g);
  return { status: 200, json: { job_id: job.job_id } };
}

const ACTION_KEYS = ['start-server-group', 'stop-server-group', 'failover-server-group', 'reverse-server-group'] as const;
type ActionKey = (typeof ACTION_KEYS)[number];

/** Which job an action starts from which status (upstream-apis.md §3.4); `needsPairs` = replication pairs required. */
const ACTION_RULES: Record<ActionKey, { from: Partial<Record<GroupStatus, JobKind>>; needsPairs: (k: JobKind) => boolean }> = {
  'start-server-group': {
    from: { available: 'start', 'error-starting': 'start', 'failed-over': 'reprotect', 'error-reprotecting': 'reprotect' },
    needsPairs: (k) => k === 'start',
  },
  'stop-server-group': { from: { protected: 'stop', 'error-stopping': 'stop' }, needsPairs: () => false },
  'failover-server-group': {
    from: { protected: 'failover', 'error-failing-over': 'failover', 'error-reversing': 'failover' },
    needsPairs: () => true,
  },
  'reverse-server-group': { from: { protected: 'reverse', 'error-reversing': 'reverse' }, needsPairs: () => true },
};

export function groupAction(state: SdrsState, projectId: string, id: string, body: unknown): SimResponse {
  if (!isRecord(body)) return bad(E.invalidParams, 'request body must be a JSON object');
  const keys = Object.keys(body);
  if (keys.length === 0) return bad(E.invalidParams, 'exactly one action is required');
  if (keys.length > 1) return bad(E.invalidAction, `exactly one action is allowed, got ${keys.join(', ')}`);
  const key = keys[0] as string;
  if (!(ACTION_KEYS as readonly string[]).includes(key)) return bad(E.invalidAction, key);
  const action = key as ActionKey;
  const arg = body[action];
  if (arg !== null && !isRecord(arg)) return bad(E.invalidParams, `${action} must be an object`);
  let station: PriorityStation | undefined;
  if (action === 'reverse-server-group') {
    const ps = arg?.priority_station;
    if (ps !== 'source' && ps !== 'target') return bad(E.invalidParams, "priority_station must be 'source' or 'target'");
    station = ps;
  }
  const g = state.groupOf(projectId, id);
  if (g === undefined) return err(E.groupNotFound, id);
  const rule = ACTION_RULES[action];
  const kind = rule.from[g.status];
  if (kind === undefined) {
    const allowed = Object.keys(rule.from).join(', ');
    return err(E.wrongState, `status is '${g.status}', ${action} needs one of ${allowed}`);
  }
  if (rule.needsPairs(kind) && state.members.count('pairs', g.id) === 0) {
    return err(E.wrongState, 'the protection group has no replication pairs');
  }
  // "If the server at the production site or DR site in a protected instance is deleted using the native
  // interface, no operations can be performed on ... the protection group" (failover page). Code UNCONFIRMED.
  const invalid = state.members.instances.ofGroup(g.id).find((i) => i.status === 'invalid');
  if (invalid !== undefined) return err(E.abnormalInstance, `protected instance ${invalid.id} is invalid`);
  // fault_level 5: "The replication link is disconnected. In this case, a failover is not allowed." Code UNCONFIRMED.
  const linkDown = kind === 'failover' ? state.members.pairs.ofGroup(g.id).find((p) => p.fault_level === '5') : undefined;
  if (linkDown !== undefined) return err(E.systemErrorNoFailover, `the replication link of pair ${linkDown.id} is disconnected`);
  if (station !== undefined && station === g.priority_station) {
    return bad(E.invalidParams, `priority_station is already '${station}'`);
  }
  const job = state.startJob(kind, g, station);
  return { status: 200, json: { job_id: job.job_id } };
}
