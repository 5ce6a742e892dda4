/**
 * Stateful simulator of the Huawei SDRS v1 protection-group and job API (upstream-apis.md §3), with the reads of
 * protected instances, replication pairs and DR drills (routes-members.ts), served over HTTP.
 *
 * Choices where the reference is silent (all UNCONFIRMED against a live service):
 * - Unknown path, or a known path with a method it does not have: 404 with the Huawei API Gateway envelope
 *   `{"error_code":"APIGW.0101","error_msg":…,"request_id":…}` (the gateway, not SDRS, answers unrouted calls).
 *   SDRS.0404 is not used: the error table already assigns it to "Failed to submit the job".
 * - `requireToken` and no `X-Auth-Token`: 401 with the gateway envelope, `APIGW.0301`. Any non-empty token passes.
 *   The version documents (`GET /`, `GET /v1`) need no token.
 * - Projects: a token `admin:|member:|reader:<project>` acts for that project (see ../identity.ts), any other
 *   token for the URL's. A path project_id that is not 32 hex digits (a Huawei/Keystone project id), or is not
 *   the token's project: 400 `{"error":{"code":"SDRS.0001"}}` ("Invalid tenant ID"). Each project sees only its
 *   own groups and jobs (another project's id: SDRS.1013 / SDRS.0408, as an unknown one); the seed is in the
 *   default project, any other starts empty. No admin reads across projects: SDRS has no all_tenants.
 * - Roles: a reader's write (POST/PUT/DELETE) is 400 SDRS.0004 "Incorrect API invoking permissions", the error
 *   table's code for a user whose roles lack the API (the table lists it as HTTP 400); admin and member write.
 * - Unknown or malformed group id: 400 SDRS.1013 (the error table); SDRS.0207 is never sent.
 * - Unknown job id: 404 `{"itemNotFound":{"code":"SDRS.0408"}}` (see routes-jobs.ts).
 * - Every response carries an `X-Request-Id` header.
 */
import { type Caller, DEMO_PROJECT, callerOf, hasRole } from '../identity.js';
import { serveSimulator, type RunningSimulator, type ServeOptions, type SimHandler, type SimRequest, type SimResponse } from '../server.js';
import { createGroup, deleteGroup, groupAction, listGroups, renameGroup, showGroup } from './routes-groups.js';
import { listVersions, showJob, showVersion } from './routes-jobs.js';
import { MEMBER_RESOURCES, type MemberResource, listMembers, showMember } from './routes-members.js';
import { loadSeed } from './seed.js';
import { SdrsState } from './state.js';
import { SDRS_ERRORS as E, apigwError, newRequestId, sdrsError, type TimestampFormat } from './wire.js';

export { SdrsState } from './state.js';
export type { SdrsDomain, SdrsGroupRecord, SdrsJobRecord, JobKind } from './state.js';
export type { SdrsDrillRecord, SdrsInstanceRecord, SdrsPairRecord } from './members.js';
export { renderDrill, renderInstance, renderPair } from './routes-members.js';
export { SDRS_SEED_DRILLS, SDRS_SEED_GROUPS, SDRS_SEED_INSTANCES, SDRS_SEED_JOBS, SDRS_SEED_PAIRS, SDRS_SIM_DOMAIN } from './seed.js';
export type {
  SdrsDrillWire,
  SdrsJobWire,
  SdrsProtectedInstanceWire,
  SdrsProtectionGroupWire,
  SdrsReplicationPairWire,
  GroupStatus,
  JobStatus,
  PriorityStation,
  TimestampFormat,
} from './wire.js';

export interface SdrsSimOptions {
  /** default '8a1f2c3d4e5f40718293a4b5c6d7e8f9' */
  projectId?: string;
  /** Time per job phase: INIT -> RUNNING after jobStepMs, RUNNING -> SUCCESS/FAIL after another; default 500. */
  jobStepMs?: number;
  /** Example data (seven groups with their instances, pairs and drills, three finished jobs); default true. */
  seed?: boolean;
  /** N more generated protection groups (older than the seed ones), with members; default 0. */
  extraGroups?: number;
  /** true: a request without X-Auth-Token gets 401; default false. */
  requireToken?: boolean;
  /** 'space' = "2019-05-23 03:51:58.256" (OTC examples, default), 'iso' = "2019-05-23T03:51:58.256Z". */
  timestampFormat?: TimestampFormat;
}

export const DEFAULT_SDRS_PROJECT_ID = DEMO_PROJECT.id;

/** Huawei Cloud (Keystone) project ids: uuid4 hex, 32 digits. */
const PROJECT_ID = /^[0-9a-f]{32}$/;

function decodeSegments(path: string): string[] | null {
  try {
    return path.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

/** Writes need more than the reader role (SDRS FullAccess vs ReadOnlyAccess, in OpenStack role names). */
function refuseReader(caller: Caller): SimResponse | undefined {
  return hasRole(caller, 'member') ? undefined : sdrsError(400, E.noApiPermission[0], E.noApiPermission[1]);
}

const noRoute = (req: SimRequest): SimResponse =>
  apigwError(404, 'APIGW.0101', `The API does not exist or has not been published in the environment: ${req.method} ${req.path}`);

function route(state: SdrsState, req: SimRequest, requireToken: boolean): SimResponse {
  const { method } = req;
  if (req.path === '/' && method === 'GET') return listVersions(req);
  if ((req.path === '/v1' || req.path === '/v1/') && method === 'GET') return showVersion(req);
  const segs = decodeSegments(req.path);
  if (segs === null || segs[0] !== 'v1' || segs.length < 3) return noRoute(req);
  const [, projectId, resource, id, sub, ...rest] = segs;
  const member = (MEMBER_RESOURCES as readonly string[]).includes(resource ?? '') ? (resource as MemberResource) : null;
  if (rest.length > 0 || (resource !== 'server-groups' && resource !== 'jobs' && member === null)) return noRoute(req);
  if (requireToken) {
    const token = req.headers['x-auth-token'];
    if (typeof token !== 'string' || token.trim() === '') {
      return apigwError(401, 'APIGW.0301', 'Incorrect IAM authentication information: x-auth-token not found');
    }
  }
  const project = projectId ?? '';
  const caller = callerOf(req.headers, project, state.projectId);
  const wellFormed = PROJECT_ID.test(project) || project === state.projectId;
  if (!wellFormed || caller.projectId !== project) {
    return sdrsError(400, E.invalidTenant[0], `${E.invalidTenant[1]}: ${project}`);
  }
  state.settle();
  if (member !== null) {
    // Only the reads are simulated; creating, changing or deleting members goes nowhere (gateway 404).
    if (method !== 'GET' || sub !== undefined || id === '') return noRoute(req);
    return id === undefined ? listMembers(state, member, project, req.query) : showMember(state, member, project, id);
  }
  if (resource === 'jobs') {
    if (id !== undefined && id !== '' && sub === undefined && method === 'GET') return showJob(state, project, id);
    return noRoute(req);
  }
  if (id === undefined) {
    if (method === 'GET') return listGroups(state, project, req.query);
    if (method === 'POST') return refuseReader(caller) ?? createGroup(state, project, req.body);
    return noRoute(req);
  }
  if (id === '') return noRoute(req);
  if (sub === undefined) {
    if (method === 'GET') return showGroup(state, project, id);
    if (method === 'PUT') return refuseReader(caller) ?? renameGroup(state, project, id, req.body);
    if (method === 'DELETE') return refuseReader(caller) ?? deleteGroup(state, project, id);
    return noRoute(req);
  }
  if (sub === 'action' && method === 'POST') return refuseReader(caller) ?? groupAction(state, project, id, req.body);
  return noRoute(req);
}

export function createSdrsSimulator(opts: SdrsSimOptions = {}): { handler: SimHandler; state: SdrsState } {
  const state = new SdrsState({
    projectId: opts.projectId ?? DEFAULT_SDRS_PROJECT_ID,
    jobStepMs: opts.jobStepMs ?? 500,
    timestampFormat: opts.timestampFormat ?? 'space',
  });
  loadSeed(state, { seed: opts.seed ?? true, extraGroups: opts.extraGroups ?? 0 });
  const requireToken = opts.requireToken ?? false;
  const handler: SimHandler = (req) => {
    const out = route(state, req, requireToken);
    return { ...out, headers: { 'X-Request-Id': newRequestId(), ...(out.headers ?? {}) } };
  };
  return { handler, state };
}

/** Serves the simulator on loopback; `endpoint` is the base a client is configured with: `${origin}/v1/${projectId}`. */
export async function startSdrsSimulator(
  opts: SdrsSimOptions & ServeOptions = {},
): Promise<RunningSimulator & { endpoint: string; state: SdrsState }> {
  const { handler, state } = createSdrsSimulator(opts);
  const running = await serveSimulator(handler, opts);
  return {
    ...running,
    endpoint: `${running.origin}/v1/${state.projectId}`,
    state,
    close: async () => {
      state.dispose();
      await running.close();
    },
  };
}
