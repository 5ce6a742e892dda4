/**
 * A small simulator of Keystone's identity v3 API (Zed), for demo mode and tests: token validation with the
 * service catalog of the simulated Cinder, Manila and SDRS, and project look-up. Tokens are `role:project`
 * strings (see tokens.ts), the same ones the service simulators read.
 *
 * - `GET /` 300 and `GET /v3` 200: version documents (keystone/api/discovery.py).
 * - `GET|HEAD /v3/auth/tokens` (keystone/api/auth.py AuthTokenResource.get): X-Auth-Token missing or unknown →
 *   401; X-Subject-Token unknown → 404 "Could not find token: <token>."; then policy identity:validate_token
 *   (Zed default with its deprecated rule ORed in: admin, or the subject is the caller's own token) → 403;
 *   no X-Subject-Token → 404 "No token in the request". 200 with the token, `?nocatalog` leaves the catalog out.
 * - `GET /v3/projects`: identity:list_projects, admins only (403 otherwise).
 * - `GET /v3/projects/{id}`: identity:get_project allows admins and the token's own project (403 otherwise,
 *   checked before existence, as the target builder defers a missing project); unknown → 404.
 * Anything else: 404 in Keystone's error envelope.
 */
import { BETA_PROJECT, DEMO_PROJECT, type SimProject, tokenOf } from '../identity.js';
import { type RunningSimulator, type ServeOptions, type SimHandler, type SimRequest, type SimResponse, serveSimulator } from '../server.js';
import type { CatalogRegion, ServiceEndpoints } from './catalog.js';
import { KeystoneState, renderToken } from './tokens.js';
import { forbiddenAction, keystoneError, requestId, unauthorized, v3Document, versionsDocument } from './wire.js';

export { KeystoneState, ROLE_IDS, DEFAULT_DOMAIN } from './tokens.js';
export type { ValidToken } from './tokens.js';
export type { CatalogRegion, ServiceEndpoints } from './catalog.js';
export { fillTemplate } from './catalog.js';

export interface KeystoneSimOptions {
  /**
   * Public endpoint templates of the services the catalog lists, e.g. `${cinder.origin}/v3/%(project_id)s`
   * (`%(project_id)s`, `%(tenant_id)s` or `{project_id}` are filled with the token's project). Services left
   * out are not in the catalog.
   */
  endpoints?: ServiceEndpoints;
  /** Known projects; default: `demo` (the simulators' default project) and `beta`. */
  projects?: SimProject[];
  /** From first validation to expiry, in ms. Default 1 h. */
  tokenLifetimeMs?: number;
  /** The catalog's region. Default `RegionOne`. */
  region?: string;
  /** A second region for multi-region catalogs: a name (same endpoints) or its own endpoints. */
  extraRegion?: string | CatalogRegion;
}

function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function projectView(origin: string, p: SimProject) {
  return {
    id: p.id, name: p.name, domain_id: 'default', description: '', enabled: true, parent_id: 'default',
    is_domain: false, tags: [], options: {}, links: { self: `${origin}/v3/projects/${p.id}` },
  };
}

function route(state: KeystoneState, req: SimRequest): SimResponse {
  const origin = `http://${header(req, 'host') ?? '127.0.0.1'}`;
  const path = req.path.replace(/\/+$/, '');
  const notFound = () => keystoneError(404, 'The resource could not be found.');
  if (path === '' && req.method === 'GET') return versionsDocument(origin);
  if (path === '/v3' && req.method === 'GET') return v3Document(origin);

  const isTokens = path === '/v3/auth/tokens';
  const projectMatch = /^\/v3\/projects\/([^/]+)$/.exec(path);
  const isProjects = path === '/v3/projects';
  if (!(isTokens && (req.method === 'GET' || req.method === 'HEAD')) && !((projectMatch || isProjects) && req.method === 'GET')) {
    return notFound();
  }
  // _assert_is_authenticated: no token, or one Keystone does not know, is 401 before anything else.
  const caller = state.validate(tokenOf(req.headers));
  if (!caller) return unauthorized(origin);

  if (isProjects) {
    // identity:list_projects: admins only (a member lists its own through /v3/auth/projects, not simulated).
    if (caller.role !== 'admin') return forbiddenAction('identity:list_projects');
    const projects = [...state.projects.values()].map((p) => projectView(origin, p));
    return { status: 200, json: { projects, links: { self: `${origin}/v3/projects`, next: null, previous: null } }, headers: { 'x-openstack-request-id': requestId() } };
  }
  if (projectMatch) {
    const id = decodeURIComponent(projectMatch[1] as string);
    if (caller.role !== 'admin' && caller.project.id !== id) return forbiddenAction('identity:get_project');
    const p = state.projects.get(id);
    if (!p) return keystoneError(404, `Could not find project: ${id}.`);
    return { status: 200, json: { project: projectView(origin, p) }, headers: { 'x-openstack-request-id': requestId() } };
  }

  const subjectToken = header(req, 'x-subject-token');
  // The enforcer validates the subject token first (its user is the policy target): unknown → 404.
  const subject = subjectToken === undefined ? undefined : state.validate(subjectToken);
  if (subjectToken !== undefined && !subject) return keystoneError(404, `Could not find token: ${subjectToken}.`);
  const ownToken = subject !== undefined && subject.userId === caller.userId;
  if (!ownToken && caller.role !== 'admin') return forbiddenAction('identity:validate_token');
  if (!subject) return keystoneError(404, 'No token in the request');
  const withCatalog = !req.query.has('nocatalog');
  return {
    status: 200,
    json: req.method === 'HEAD' ? undefined : renderToken(state, subject, withCatalog),
    headers: { 'x-subject-token': subject.token, 'x-openstack-request-id': requestId(), vary: 'X-Auth-Token' },
  };
}

export function createKeystoneSimulator(opts: KeystoneSimOptions = {}): { handler: SimHandler; state: KeystoneState } {
  const regions: CatalogRegion[] = [{ id: opts.region ?? 'RegionOne', endpoints: opts.endpoints ?? {} }];
  if (opts.extraRegion !== undefined) {
    regions.push(
      typeof opts.extraRegion === 'string' ? { id: opts.extraRegion, endpoints: opts.endpoints ?? {} } : opts.extraRegion,
    );
  }
  const state = new KeystoneState(opts.projects ?? [DEMO_PROJECT, BETA_PROJECT], opts.tokenLifetimeMs ?? 3_600_000, regions);
  return { handler: (req) => route(state, req), state };
}

/** Serves the simulator on loopback; `endpoint` is the identity v3 URL a facade's KEYSTONE_URL takes. */
export async function startKeystoneSimulator(
  opts: KeystoneSimOptions & ServeOptions = {},
): Promise<RunningSimulator & { endpoint: string; state: KeystoneState }> {
  const { handler, state } = createKeystoneSimulator(opts);
  const running = await serveSimulator(handler, opts);
  return { ...running, endpoint: `${running.origin}/v3`, state, close: () => running.close() };
}
