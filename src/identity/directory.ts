import { type ServiceName, UpstreamError } from '../errors.js';
import { type Bulkhead, CircuitBreaker, hostBulkhead } from '../upstreams/resilience.js';
import { type CatalogChoice, fillProject, pathSegmentOf, pickEndpoint, projectOfUrl } from './catalog.js';
import type { Identity } from './keystone.js';

/** What a client needs beside its endpoint: protections shared by every endpoint on the same host. */
export interface SharedProtections {
  breaker: CircuitBreaker;
  bulkhead: Bulkhead;
}

export type ClientFactory<C> = (endpoint: string, shared: SharedProtections) => C;

/** Where one service's endpoint comes from once Keystone is configured. */
export type EndpointSource = { kind: 'template'; template: string } | { kind: 'catalog' } | { kind: 'absent' };

/** A client for the caller, or why there is none (the service's fields answer it). */
export type ClientFor<C> = { client: C; endpoint: string } | { error: UpstreamError };

/**
 * Clients by endpoint, made on first use: with Keystone every project has its own endpoint URL (`…/v3/<project>`),
 * and each endpoint negotiates its own API version, so two regions or two clouds work side by side. The circuit
 * breaker and bulkhead are per host, shared by its endpoints: a host's capacity does not grow with its projects.
 * At most `maxClients` endpoints are kept (least recently used out); a client holds no caller's data.
 */
export class EndpointClients<C> {
  private readonly clients = new Map<string, C>();
  private readonly shared = new Map<string, SharedProtections>();
  private readonly hostListeners: ((origin: string, p: SharedProtections) => void)[] = [];

  private readonly connections: number | undefined;
  private readonly maxClients: number;

  /** `connections`: calls in flight at once to one host (UPSTREAM_MAX_CONNECTIONS). */
  constructor(
    private readonly make: ClientFactory<C>,
    opts: { connections?: number; maxClients?: number } = {},
  ) {
    this.connections = opts.connections;
    this.maxClients = opts.maxClients ?? 256;
  }

  get(endpoint: string): C {
    let client = this.clients.get(endpoint);
    if (client) {
      this.clients.delete(endpoint);
    } else {
      client = this.make(endpoint, this.protectionsOf(new URL(endpoint).origin));
      if (this.clients.size >= this.maxClients) this.clients.delete(this.clients.keys().next().value as string);
    }
    this.clients.set(endpoint, client);
    return client;
  }

  /**
   * Takes `p` as the host's protections, before any endpoint there is used: the process-wide client's, so that a
   * host reached both ways (demo mode: other projects' simulated users) has one breaker and one bulkhead.
   */
  adopt(origin: string, p: SharedProtections): void {
    if (this.shared.has(origin)) return;
    this.shared.set(origin, p);
    for (const listener of this.hostListeners) listener(origin, p);
  }

  /** Every host's protections, for /readyz: origin -> breaker and bulkhead. */
  hosts(): ReadonlyMap<string, SharedProtections> {
    return this.shared;
  }

  /** Calls `listener` for every host known now and every one met later (load shedding watches their bulkheads). */
  onHost(listener: (origin: string, p: SharedProtections) => void): void {
    for (const [origin, p] of this.shared) listener(origin, p);
    this.hostListeners.push(listener);
  }

  private protectionsOf(origin: string): SharedProtections {
    let p = this.shared.get(origin);
    if (!p) {
      p = { breaker: new CircuitBreaker(), bulkhead: hostBulkhead(this.connections) };
      this.shared.set(origin, p);
      for (const listener of this.hostListeners) listener(origin, p);
    }
    return p;
  }
}

const NO_PROJECT = 'no project (a domain- or system-scoped token)';

/**
 * A fixed Cinder or Manila URL serves its own project only: either answers a token of any other project (or of
 * none) with a 400 "Malformed request url". FORBIDDEN, said before calling: another token would be served here.
 * SDRS is left alone: its URL names a Huawei project, not one of this Keystone's.
 */
function otherProject(service: ServiceName, url: string, identity: Identity): UpstreamError | null {
  const served = service === 'sdrs' ? null : projectOfUrl(url);
  if (served === null || served === identity.project?.id) return null;
  const scope = identity.project ? `project ${identity.project.id} (${identity.project.name})` : NO_PROJECT;
  // The served project is not named: it is another project's id, which about and viewer hide from this caller too.
  const message = `This facade's ${service} endpoint serves another project; the token is scoped to ${scope}.`;
  return new UpstreamError('FORBIDDEN', message, service, 0, null, null);
}

function unavailable(service: ServiceName, message: string): UpstreamError {
  return new UpstreamError('UPSTREAM_UNAVAILABLE', message, service, 0, null, null);
}

/**
 * The endpoint of `service` for this caller: a configured `*_URL` wins (its `{project_id}` filled from the token),
 * else the caller's catalog. Never a guess: a missing service, a template without a project, or several regions
 * without KEYSTONE_REGION is an answer saying so.
 */
export function endpointFor(service: ServiceName, source: EndpointSource, identity: Identity, choice: CatalogChoice): string | UpstreamError {
  if (source.kind === 'absent') return unavailable(service, `The ${service} service is not configured on this facade.`);
  if (source.kind === 'template') {
    const project = source.template.includes('{project_id}') ? (identity.project?.id ?? null) : null;
    const segment = project === null ? null : pathSegmentOf(project);
    if (project !== null && segment === null) {
      return unavailable(service, `The ${service} endpoint needs the token's project in its path, and its id ${JSON.stringify(project.slice(0, 80))} cannot stand there.`);
    }
    const url = fillProject(source.template, segment);
    if (url === null) return unavailable(service, `The ${service} endpoint needs a project, and this token is not scoped to one.`);
    return source.template === url ? (otherProject(service, url, identity) ?? url) : url;
  }
  const pick = pickEndpoint(identity.catalog, service, choice);
  if (pick.ok) return pick.url.replace(/\/+$/, '');
  // Keystone leaves out of a project-less token's catalog every endpoint whose URL needs a project: that is the reason.
  if (identity.project === null) {
    return unavailable(service, `The token is scoped to ${NO_PROJECT}, and the ${service} endpoints are per project, so its catalog lists none; use a project-scoped token.`);
  }
  return unavailable(service, pick.message);
}
