import { callerOf, DEMO_PROJECT } from '../identity.js';
import { serveSimulator, type RunningSimulator, type ServeOptions, type SimHandler, type SimRequest, type SimResponse } from '../server.js';
import { ManilaState } from './state.js';
import { SEED_DEFAULTS, seedConsistencyGroups, seedExtraShareGroups, seedShareGroups } from './seed.js';
import {
  EXPERIMENTAL_HEADER, VERSION_HEADER, boolFromString, cmp, newRequestId, parseVersion, reply, routerNotFound, v2Document,
  versionsDocument, type Ctx, type Version,
} from './wire.js';
import { routeShareGroups } from './routes-share-groups.js';
import { routeShareGroupSnapshots } from './routes-snapshots.js';
import { routeShareTypes } from './routes-types.js';
import { routeShareGroupTypes } from './routes-group-types.js';
import { routeShares } from './routes-shares.js';
import { routeShareNetworks } from './routes-share-networks.js';
import { routeCgSnapshots, routeConsistencyGroups } from './routes-consistency-groups.js';
import { routeAvailabilityZones, routeQuotaSets } from './routes-quotas.js';

export { ManilaState } from './state.js';
export { SEED_DEFAULTS, SEED_IDS, seedShareId } from './seed.js';

/**
 * Stateful simulator of the Manila v2 share-group API as Manila Zed (15.x, max 2.73) puts it on the wire,
 * or, with `legacy`, a pre-Ocata Manila (max 2.30) that still serves consistency groups. Projects and roles as
 * behind keystonemiddleware with enforce_new_defaults: ../identity.ts (tokens) and policy.ts (rules).
 */
export interface ManilaSimOptions {
  /**
   * The default project (DEFAULT_PROJECT_ID): the seed lands there and `endpoint` points at it. Any other project
   * in a URL is served too, starting empty. Who acts comes from the token (see ../identity.ts).
   */
  projectId?: string;
  /** true: max version 2.30, consistency-group API (/consistency-groups, /cgsnapshots), no share-group API. */
  legacy?: boolean;
  maxVersion?: string;
  /** creating -> available and deleting -> gone after this many ms (default 300). */
  transitionMs?: number;
  seed?: boolean;
  /** N more generated share groups (2 shares and 1 snapshot each), for benchmarks. */
  extraShareGroups?: number;
  /** true: requests without X-Auth-Token get 401. */
  requireToken?: boolean;
  /**
   * Manila's `default_share_type` option (a type name). Unset: the seeded `default_nfs` when seeding, else none.
   * null: none, as on a manila-api without the option; creates that need a default then answer 400.
   */
  defaultShareType?: string | null;
  /** Manila's `default_share_group_type` option, likewise (seeded: `default_group_type`). */
  defaultShareGroupType?: string | null;
}

export const DEFAULT_PROJECT_ID = DEMO_PROJECT.id;

type Route = (ctx: Ctx, rest: string[]) => SimResponse | undefined;

const ZED_ROUTES: Record<string, Route> = {
  'share-groups': routeShareGroups,
  'share-group-snapshots': routeShareGroupSnapshots,
  'share-group-types': routeShareGroupTypes,
  types: routeShareTypes,
  'share-networks': routeShareNetworks,
  shares: routeShares,
  'quota-sets': routeQuotaSets,
  'availability-zones': (ctx, rest) => routeAvailabilityZones(ctx, rest, false),
  'os-availability-zone': (ctx, rest) => routeAvailabilityZones(ctx, rest, true),
};

const LEGACY_ROUTES: Record<string, Route> = {
  'consistency-groups': routeConsistencyGroups,
  cgsnapshots: routeCgSnapshots,
  types: routeShareTypes,
  'share-networks': routeShareNetworks,
  shares: routeShares,
  'quota-sets': routeQuotaSets,
  'availability-zones': (ctx, rest) => routeAvailabilityZones(ctx, rest, false),
  'os-availability-zone': (ctx, rest) => routeAvailabilityZones(ctx, rest, true),
};

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function segments(path: string): string[] | undefined {
  try {
    return path.split('/').filter((s) => s.length > 0).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export function createManilaSimulator(opts: ManilaSimOptions = {}): { handler: SimHandler; state: ManilaState } {
  const legacy = opts.legacy ?? false;
  const projectId = opts.projectId ?? DEFAULT_PROJECT_ID;
  const maxString = opts.maxVersion ?? (legacy ? '2.30' : '2.73');
  const maxVersion = parseVersion(maxString);
  if (!maxVersion) throw new Error(`invalid maxVersion ${maxString}`);
  const minVersion: Version = { major: 2, minor: 0 };
  const state = new ManilaState(projectId, opts.transitionMs ?? 300);
  const seeded = opts.seed ?? true;
  state.defaultShareTypeName = opts.defaultShareType === undefined ? (seeded ? SEED_DEFAULTS.shareType : null) : opts.defaultShareType;
  state.defaultShareGroupTypeName =
    opts.defaultShareGroupType === undefined ? (seeded ? SEED_DEFAULTS.shareGroupType : null) : opts.defaultShareGroupType;
  if (seeded) {
    if (legacy) seedConsistencyGroups(state);
    else seedShareGroups(state);
  }
  if (!legacy && (opts.extraShareGroups ?? 0) > 0) seedExtraShareGroups(state, opts.extraShareGroups ?? 0);
  const routes = legacy ? LEGACY_ROUTES : ZED_ROUTES;

  const handler: SimHandler = (req) => {
    state.tick();
    const requestId = newRequestId();
    const origin = `http://${header(req, 'host') ?? '127.0.0.1'}`;
    const parts = segments(req.path);
    if (!parts) return routerNotFound(requestId);
    if (parts.length === 0) {
      if (req.method !== 'GET') return routerNotFound(requestId);
      return { status: 300, json: versionsDocument(origin, maxString), headers: { 'x-compute-request-id': requestId } };
    }
    if (parts[0] !== 'v2') return routerNotFound(requestId);
    if (parts.length === 1) {
      if (req.method !== 'GET') return routerNotFound(requestId);
      return { status: 200, json: { versions: [v2Document(origin, maxString)] }, headers: { 'x-compute-request-id': requestId } };
    }
    // `/v2/{project_id}/<collection>/…` and, since 2.60, `/v2/<collection>/…` both route.
    let rest = parts.slice(1);
    let urlProject: string | undefined;
    if (!((rest[0] as string) in routes)) {
      urlProject = rest[0];
      rest = rest.slice(1);
    }
    const collection = rest[0];
    const route = collection !== undefined && Object.hasOwn(routes, collection) ? routes[collection] : undefined;
    if (!route || rest.length > 4) return routerNotFound(requestId);

    const token = header(req, 'x-auth-token');
    if (opts.requireToken && !token) {
      return {
        status: 401,
        json: { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } },
        headers: { 'www-authenticate': 'Keystone uri="http://127.0.0.1/identity"', 'x-compute-request-id': requestId },
      };
    }
    // `role:project` tokens act for their project; any other token for the URL's (or the configured) one.
    const caller = callerOf(req.headers, urlProject, projectId);
    const bare: Ctx = {
      req, state, legacy, version: minVersion, experimental: false, projectId: caller.projectId, caller, origin, requestId,
    };
    const rawVersion = header(req, VERSION_HEADER);
    let version = minVersion;
    if (rawVersion !== undefined) {
      const parsed = parseVersion(rawVersion.trim());
      if (!parsed) {
        // No version was set, so nothing is echoed; Zed prints its exception templates unformatted.
        return {
          status: 400,
          json: { badRequest: { code: 400, message: 'API Version String %(version)s is of invalid format. Must be of format MajorNum.MinorNum.' } },
          headers: { 'x-compute-request-id': requestId },
        };
      }
      version = parsed;
      if (cmp(parsed, minVersion) < 0 || cmp(parsed, maxVersion) > 0) {
        const ctx406 = { ...bare, version: parsed, experimental: boolFromString(header(req, EXPERIMENTAL_HEADER)) };
        const out = reply(ctx406, 406);
        return {
          status: 406,
          json: { computeFault: { code: 406, message: 'Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and maximum is %(max_ver)s.' } },
          headers: out.headers,
        };
      }
    }
    const ctx: Ctx = { ...bare, version, experimental: boolFromString(header(req, EXPERIMENTAL_HEADER)) };
    // wsgi.Resource._process_stack: the URL's project must be the context's.
    if (urlProject !== undefined && urlProject !== caller.projectId) {
      return reply(ctx, 400, { badRequest: { code: 400, message: 'Malformed request url' } });
    }
    return route(ctx, rest.slice(1)) ?? routerNotFound(requestId);
  };
  return { handler, state };
}

export async function startManilaSimulator(
  opts: ManilaSimOptions & ServeOptions = {},
): Promise<RunningSimulator & { endpoint: string; state: ManilaState }> {
  const { handler, state } = createManilaSimulator(opts);
  const running = await serveSimulator(handler, opts);
  return { ...running, endpoint: `${running.origin}/v2/${opts.projectId ?? DEFAULT_PROJECT_ID}`, state };
}
