// A stateful simulator of the Cinder v3 block-storage API as Cinder Zed (max 3.70) behaves on the wire:
// routes with and without the project segment, microversion gating, fault envelopes, plain-text router 404s,
// and the known quirks (full-page next links, 500 on plain DELETE /groups/{id}, array replication targets).
// Projects and roles as behind keystonemiddleware with enforce_new_defaults: see ../identity.ts for the token
// rules and policy.ts for what each role may do.
import { randomUUID } from 'node:crypto';
import { callerOf, DEMO_PROJECT } from '../identity.js';
import { faultHeaders } from '../openstack-faults.js';
import { type RunningSimulator, type ServeOptions, type SimHandler, type SimRequest, type SimResponse, serveSimulator } from '../server.js';
import type { Ctx, Route } from './context.js';
import { groupRoutes } from './routes-groups.js';
import { groupSnapshotRoutes } from './routes-group-snapshots.js';
import { groupTypeRoutes } from './routes-group-types.js';
import { quotaRoutes } from './routes-quotas.js';
import { snapshotRoutes } from './routes-snapshots.js';
import { typeRoutes } from './routes-types.js';
import { volumeRoutes } from './routes-volumes.js';
import { seedBuiltIns, seedExamples, seedExtraGroups } from './seed.js';
import { CinderState } from './state.js';
import {
  CinderFault,
  NOT_FOUND_MESSAGE,
  faultBody,
  formatVersion,
  parseMaxVersion,
  requestedVersion,
  routerNotFound,
  versionDocument,
} from './wire.js';

export { CinderState } from './state.js';
export type { GroupRow, GroupSnapshotRow, GroupTypeRow, SnapshotRow, VolumeRow, VolumeTypeRow } from './state.js';
export { SEED, DEFAULT_VOLUME_TYPE_ID } from './seed.js';
export { REPLICATION_DEVICES } from './routes-group-actions.js';

export interface CinderSimOptions {
  /**
   * The default project (DEFAULT_PROJECT_ID): the seed lands there and `endpoint` points at it. Any other project
   * in a URL is served too, starting empty. Who acts comes from the token (see ../identity.ts).
   */
  projectId?: string;
  /** Highest microversion served; e.g. '3.30' to simulate an old Cinder. Default '3.70' (Zed). */
  maxVersion?: string;
  /** Delay of creating->available, deleting->gone and similar transitions. Default 300 ms. */
  transitionMs?: number;
  /** Load the example data (fixed ids, see SEED). Default true. */
  seed?: boolean;
  /** Extra generated groups (2 volumes and 1 snapshot each) for benchmarks. Default 0. */
  extraGroups?: number;
  /** Answer 401 like keystonemiddleware when X-Auth-Token is missing. Default false. */
  requireToken?: boolean;
}

export const DEFAULT_PROJECT_ID = DEMO_PROJECT.id;

const ROUTES: Route[] = [
  ...groupRoutes,
  ...groupSnapshotRoutes,
  ...groupTypeRoutes,
  ...typeRoutes,
  ...volumeRoutes,
  ...snapshotRoutes,
  ...quotaRoutes,
];
const COLLECTIONS = new Set(ROUTES.map((r) => r.path[0]));
/** CONF.project_id_regex default. */
const PROJECT_RE = /^[0-9a-f-]+$/;

function matchRoute(method: string, segs: string[]): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    if (route.method !== method || route.path.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let hit = true;
    for (let i = 0; i < segs.length; i++) {
      const want = route.path[i] as string;
      const got = segs[i] as string;
      if (want.startsWith(':')) params[want.slice(1)] = got;
      else if (want !== got) {
        hit = false;
        break;
      }
    }
    if (hit) return { route, params };
  }
  return null;
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function createCinderSimulator(opts: CinderSimOptions = {}): { handler: SimHandler; state: CinderState } {
  const projectId = opts.projectId ?? DEFAULT_PROJECT_ID;
  const max = parseMaxVersion(opts.maxVersion ?? '3.70');
  const state = new CinderState(projectId, opts.transitionMs ?? 300);
  seedBuiltIns(state);
  if (opts.seed ?? true) seedExamples(state);
  if (opts.extraGroups) seedExtraGroups(state, opts.extraGroups);

  const handler: SimHandler = (req) => {
    const base: Record<string, string> = { 'x-openstack-request-id': `req-${randomUUID()}` };
    const out = route(req);
    return { ...out, headers: { ...base, ...(out.headers ?? {}) } };
  };

  function route(req: SimRequest): SimResponse {
    const origin = `http://${header(req, 'host') ?? '127.0.0.1'}`;
    let segs: string[];
    try {
      segs = req.path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
    } catch {
      return routerNotFound();
    }
    if (segs.length === 0) {
      return req.method === 'GET' ? { status: 300, json: versionDocument(origin, max) } : routerNotFound();
    }
    if (segs[0] !== 'v3') return routerNotFound();
    if (opts.requireToken && !header(req, 'x-auth-token')) {
      return {
        status: 401,
        json: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } },
        headers: { 'www-authenticate': `Keystone uri="${origin}/identity"` },
      };
    }
    if (segs.length === 1) {
      return req.method === 'GET' ? { status: 200, json: versionDocument(origin, max) } : routerNotFound();
    }
    let urlProject: string | undefined;
    let rest = segs.slice(1);
    if (!COLLECTIONS.has(rest[0])) {
      if (!PROJECT_RE.test(rest[0] as string)) return routerNotFound();
      urlProject = rest[0] as string;
      rest = rest.slice(1);
    }
    const matched = matchRoute(req.method, rest);
    if (!matched) return routerNotFound();

    let mv: number;
    try {
      mv = requestedVersion(req.headers['openstack-api-version'], max);
    } catch (err) {
      if (err instanceof CinderFault) return { status: err.status, json: faultBody(err.status, err.message) };
      throw err;
    }
    const versionHeaders = { 'OpenStack-API-Version': `volume ${formatVersion(mv)}`, Vary: 'OpenStack-API-Version' };
    const caller = callerOf(req.headers, urlProject, projectId);
    // wsgi.Resource._process_stack: the URL's project must be the context's (after version parsing, before
    // the method's own microversion gate).
    if (urlProject !== undefined && urlProject !== caller.projectId) {
      return { status: 400, json: faultBody(400, 'Malformed request url'), headers: versionHeaders };
    }
    const project = caller.projectId;
    const ctx: Ctx = {
      req,
      state,
      caller,
      mv,
      query: req.query,
      linkBase: `${origin}/v3/${project}`,
      bookmarkBase: `${origin}/${project}`,
    };
    try {
      if (mv < (matched.route.minMv ?? 0)) throw new CinderFault(404, NOT_FOUND_MESSAGE);
      const res = matched.route.handle(ctx, matched.params);
      return { ...res, headers: { ...versionHeaders, ...(res.headers ?? {}) } };
    } catch (err) {
      if (!(err instanceof CinderFault)) throw err;
      return { status: err.status, json: faultBody(err.status, err.message), headers: { ...versionHeaders, ...faultHeaders(err.status) } };
    }
  }

  return { handler, state };
}

export async function startCinderSimulator(
  opts: CinderSimOptions & ServeOptions = {},
): Promise<RunningSimulator & { endpoint: string; state: CinderState }> {
  const { handler, state } = createCinderSimulator(opts);
  const running = await serveSimulator(handler, opts);
  return {
    ...running,
    endpoint: `${running.origin}/v3/${opts.projectId ?? DEFAULT_PROJECT_ID}`,
    state,
    close: async () => {
      state.dispose();
      await running.close();
    },
  };
}
