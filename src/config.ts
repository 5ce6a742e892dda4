import { isIP } from 'node:net';
import { ConfigError, parseAtMost, parseBoolean, parseCount, parseDelay, parseMillis, parsePositive } from './configValues.js';
import type { ServiceName } from './errors.js';
import { parseTrustedProxies } from './http/forwarded.js';
import { API_VERSION_SEGMENTS } from './identity/catalog.js';
import { type IdentityMode, PROJECT_TEMPLATE, parseIdentity, projectSpellingIn, withProjectTemplate } from './identity/config.js';
import { type ObservabilityConfig, parseObservability } from './observability/config.js';
import { DEFAULT_MAX_CONNECTIONS } from './upstreams/resilience.js';
import { type ProxySettings, proxySettings } from './upstreams/proxy.js';

export const SERVICES: readonly ServiceName[] = ['cinder', 'manila', 'sdrs'];

/** How one upstream is reached: a configured endpoint, the embedded simulator, or not at all. */
export type ServiceMode =
  | { kind: 'real'; url: string }
  | { kind: 'simulated' }
  /** KEYSTONE_URL without this service's `*_URL`: each caller's catalog names the endpoint. */
  | { kind: 'catalog' }
  | { kind: 'absent' };

/**
 * Protections against expensive or hostile requests, and what the HTTP door lets through; each has an
 * environment variable (README).
 */
export interface Limits {
  /** Whole-request deadline: every upstream call is cut to fit inside it. */
  requestDeadlineMs: number;
  /**
   * GraphQL requests in progress at once (counted once their body is in); more get 503 OVERLOADED with
   * Retry-After instead of queueing.
   */
  maxInFlight: number;
  /**
   * MAX_IN_FLIGHT_PER_CALLER: requests (and subscription starts) one caller (a hash of its token, else its
   * address) may have in progress; more get 429 TOO_MANY_REQUESTS. 0: no such limit.
   */
  maxInFlightPerCaller: number;
  /**
   * MAX_REFUSED_TOKENS_PER_CLIENT: tokens not known yet that Keystone (or without it, an upstream) may refuse per
   * minute per client address; past it, the address's tokens not known yet get 429 TOO_MANY_REFUSED_TOKENS. 0: none.
   */
  maxRefusedTokensPerClient: number;
  /** BODY_TIMEOUT_MS: a request body must arrive whole within this after the headers, else 408. */
  bodyTimeoutMs: number;
  /** On SIGTERM, how long in-flight requests get to finish. */
  shutdownGraceMs: number;
  /**
   * SHUTDOWN_DELAY_MS: on SIGTERM, how long the facade goes on serving as before, /readyz already 503, so that a
   * balancer that learns of the stop from /readyz (or an endpoint list) stops sending first; then the drain. 0: none.
   */
  shutdownDelayMs: number;
  /** KEEP_ALIVE_TIMEOUT_MS: how long an idle client connection is kept; above a balancer's own idle timeout. */
  keepAliveTimeoutMs: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  /** GRAPHQL_MAX_NODES: the most objects an answer may hold (src/graphql/cost.ts counts them before execution). */
  maxNodes: number;
  /** MAX_RESPONSE_BYTES: a larger serialised answer is replaced by an error instead of being sent. */
  maxResponseBytes: number;
  /** RESPONSE_COMPRESSION: answers of 1 KiB and more in br or gzip to clients that take them. */
  compressResponses: boolean;
  /** GRAPHQL_INTROSPECTION: schema introspection (GraphiQL's docs), whatever NODE_ENV says. */
  introspection: boolean;
  /** CORS_ORIGINS: exact browser origins answered with CORS headers; empty: none. */
  corsOrigins: string[];
  /** SUBSCRIPTION_POLL_MAX_MS: the longest a subscription's poller waits between reads of an unchanged object. */
  subscriptionPollMaxMs: number;
  /** MAX_SUBSCRIPTIONS_PER_CONNECTION: subscriptions one WebSocket may hold at once. */
  maxSubscriptionsPerConnection: number;
  /** MAX_SUBSCRIPTIONS: subscriptions the whole facade holds at once (both transports). */
  maxSubscriptions: number;
  /** MAX_SUBSCRIPTIONS_PER_CALLER: subscriptions one caller (Keystone user and project, else token) holds at once. */
  maxSubscriptionsPerCaller: number;
  /** MAX_CONNECTIONS: client connections (HTTP and WebSocket) held at once; more are closed at once. */
  maxConnections: number;
  /** MAX_CONNECTIONS_PER_CLIENT: the same for one client address; 0: no such limit (behind a proxy). */
  maxConnectionsPerClient: number;
  /**
   * TRUSTED_PROXIES: addresses and CIDR ranges of proxies whose X-Forwarded-For names the client, for the per-client
   * rules of requests (src/http/forwarded.ts). Empty: the connection's peer is the client.
   */
  trustedProxies: string[];
}

export interface Config {
  port: number;
  host: string;
  services: Record<ServiceName, ServiceMode>;
  /** No upstream URL or KEYSTONE_URL and every service on the simulators (in production: all three named in SIMULATE). */
  demo: boolean;
  /** Keystone, real or simulated, or none (tokens forwarded as they are). */
  identity: IdentityMode;
  upstreamTimeoutMs: number;
  /**
   * UPSTREAM_MAX_CONNECTIONS: calls in flight at once to one upstream host (the agent's connections per origin),
   * four times that waiting; one request may take all of them (its lane).
   */
  upstreamConnections: number;
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY for upstream calls; null: none set. */
  proxy: ProxySettings | null;
  /** NODE_ENV=development: field suggestions in validation errors. */
  development: boolean;
  limits: Limits;
  /**
   * GRAPHQL_COMPILE_AFTER: how many times a document runs through graphql-js before it is compiled (graphql-jit);
   * null ("off"): never compiled.
   */
  compileAfter: number | null;
  /** LOG_*, METRICS_* and the standard OTEL_* variables (src/observability/config.ts). */
  observability: ObservabilityConfig;
}


// Part of this module's surface since before the value parsers had a module of their own.
export { ConfigError } from './configValues.js';

const URL_VARS: Record<ServiceName, string> = { cinder: 'CINDER_URL', manila: 'MANILA_URL', sdrs: 'SDRS_URL' };

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4000;
  if (!/^\d+$/.test(raw) || Number(raw) < 0 || Number(raw) > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** An RFC 1123 host name: labels of letters, digits and inner hyphens, 63 characters each, 253 in all. */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** HOST as listen() takes it: an IP address (no brackets, no port) or a host name; a typo fails here, not later. */
function parseHost(raw: string | undefined): string {
  const host = raw?.trim() || '0.0.0.0';
  if (isIP(host) || HOST_NAME.test(host)) return host;
  throw new ConfigError(`HOST must be an IP address or a host name to listen on (e.g. 0.0.0.0, ::, 127.0.0.1), without scheme or port, got ${JSON.stringify(raw)}`);
}

/** Two servers cannot listen on one port: METRICS_PORT=PORT would fail start-up later with EADDRINUSE and a stack. */
function checkMetricsPort(port: number, observability: ObservabilityConfig): void {
  const metrics = observability.metrics;
  if (metrics.enabled && metrics.port !== null && metrics.port !== 0 && metrics.port === port) {
    throw new ConfigError(`METRICS_PORT must differ from PORT (both ${port}); leave it unset to serve /metrics on the GraphQL port`);
  }
}

/** A *_URL: the catalog's `%(project_id)s` spellings become {project_id}; any other substitution is refused. */
function parseServiceUrl(service: ServiceName, raw: string): string {
  const name = URL_VARS[service];
  const templated = withProjectTemplate(raw);
  if ('unknown' in templated) {
    throw new ConfigError(`${name} holds the template ${templated.unknown}, which the facade cannot fill; only {project_id} (or %(project_id)s) is`);
  }
  return withVersion(service, parseUrl(name, templated.url));
}

/**
 * Each service's API version segment, and whether the project may be left out after it (Cinder 3.67, Manila 2.60
 * route without it; SDRS never). Manila's v1 has no microversions, which everything here needs.
 */
const API_VERSION: Record<ServiceName, { version: string; segment: RegExp; projectOptional: boolean; label: string; example: string }> = {
  cinder: { version: 'v3', segment: API_VERSION_SEGMENTS.cinder, projectOptional: true, label: "Cinder's v3", example: 'http://127.0.0.1:8776/v3/<project-id>' },
  manila: { version: 'v2', segment: API_VERSION_SEGMENTS.manila, projectOptional: true, label: "Manila's v2", example: 'http://127.0.0.1:8786/v2/<project-id>' },
  sdrs: { version: 'v1', segment: API_VERSION_SEGMENTS.sdrs, projectOptional: false, label: "SDRS's v1", example: 'https://sdrs.cn-north-4.myhuaweicloud.com/v1/<project-id>' },
};

/**
 * Calls go below the endpoint (`…/v3/<project>/groups`): without the version segment, or with more after the
 * project, the version document reads fine and then every lookup is a 404. Any prefix before it (devstack's /volume).
 */
function withVersion(service: ServiceName, url: string): string {
  const segments = new URL(url).pathname.split('/').filter(Boolean);
  const { version, segment, projectOptional, label, example } = API_VERSION[service];
  const at = segments.findIndex((s) => segment.test(s));
  if (at !== -1 && (at === segments.length - 2 || (projectOptional && at === segments.length - 1))) return url;
  const after = projectOptional ? 'followed by at most the project' : 'followed by the project';
  throw new ConfigError(`${URL_VARS[service]} must be ${label} endpoint, …/${version} ${after}, e.g. ${example}; got ${JSON.stringify(url)}`);
}

function parseUrl(name: string, raw: string): string {
  let url: URL;
  // `{project_id}` (filled from each caller's Keystone token) must survive URL parsing unencoded.
  const placeholder = 'gg-project-id-placeholder';
  try {
    url = new URL(raw.split(PROJECT_TEMPLATE).join(placeholder));
  } catch {
    throw new ConfigError(`${name} is not a valid URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must be an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  }
  if (url.search || url.hash) {
    throw new ConfigError(`${name} must not carry a query or fragment: ${JSON.stringify(raw)}`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${name} must not embed credentials; send the caller's X-Auth-Token instead`);
  }
  // In the host a token's project would choose where the token goes; the catalog spells it in the path only.
  if (url.host.includes(placeholder)) {
    throw new ConfigError(`${name} may hold {project_id} only in its path, not in its host: ${JSON.stringify(raw)}`);
  }
  return url.toString().replace(/\/+$/, '').split(placeholder).join(PROJECT_TEMPLATE);
}

function parseSimulate(raw: string | undefined): Set<ServiceName | 'keystone'> {
  const out = new Set<ServiceName | 'keystone'>();
  if (!raw) return out;
  for (const part of raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!(SERVICES as readonly string[]).includes(part) && part !== 'keystone') {
      throw new ConfigError(`SIMULATE lists unknown service ${JSON.stringify(part)}; use cinder, manila, sdrs or keystone`);
    }
    out.add(part as ServiceName);
  }
  return out;
}

function trustedProxies(raw: string | undefined): string[] {
  const parsed = parseTrustedProxies(raw);
  if ('error' in parsed) throw new ConfigError(`TRUSTED_PROXIES must be a comma-separated list of IP addresses and CIDR ranges: ${parsed.error}`);
  return parsed;
}

/**
 * SUBSCRIPTION_POLL_MAX_MS's floor: a shared poller then reads its object at most five times a second; 1 ms made one
 * subscription a 500-reads-a-second load on the upstream. 200, not more: the suites poll at 200 and 300 ms.
 */
const MIN_POLL_MS = 200;

function parsePollMax(raw: string | undefined): number {
  const ms = parseMillis('SUBSCRIPTION_POLL_MAX_MS', raw, 10_000);
  if (ms < MIN_POLL_MS) {
    throw new ConfigError(`SUBSCRIPTION_POLL_MAX_MS must be at least ${MIN_POLL_MS} (ms): each poll is an upstream read, got ${ms}`);
  }
  return ms;
}

function parseCompileAfter(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return 1;
  if (raw.trim().toLowerCase() === 'off') return null;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`GRAPHQL_COMPILE_AFTER must be a whole number (0 = compile at once) or "off", got ${JSON.stringify(raw)}`);
  }
  return Number(raw.trim());
}

/** Exact origins such as https://portal.example.com:8443; a browser sends exactly that in its Origin header. */
function parseOrigins(raw: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let origin: string | null = null;
    try {
      const url = new URL(part);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === part.replace(/\/$/, '')) origin = url.origin;
    } catch {
      // not a URL: refused below
    }
    if (!origin) {
      throw new ConfigError(
        `CORS_ORIGINS lists exact origins such as https://portal.example.com (scheme, host, optional port; no path, no *), got ${JSON.stringify(part)}`,
      );
    }
    out.push(origin);
  }
  return out;
}

/** The KEYSTONE_* settings read beside KEYSTONE_URL (src/identity/config.ts). */
const KEYSTONE_SETTINGS = ['KEYSTONE_INTERFACE', 'KEYSTONE_REGION', 'KEYSTONE_CACHE_SECONDS'] as const;

/**
 * Keystone settings with no Keystone to apply them: an operator who forgot KEYSTONE_URL would believe tokens are
 * checked. Only the variables read here: Kubernetes puts KEYSTONE_SERVICE_HOST and the like into every pod of a
 * namespace with a `keystone` Service, and the OpenStack test env file holds KEYSTONE_ADMIN_PASSWORD.
 */
function refuseKeystoneSettingsWithoutKeystone(env: NodeJS.ProcessEnv): void {
  const set = KEYSTONE_SETTINGS.filter((name) => env[name]?.trim());
  if (set.length === 0) return;
  // A bad value gets the message it gets with Keystone on: parseIdentity's own checks, for a built-in Keystone.
  parseIdentity({ ...env, KEYSTONE_URL: undefined }, parseUrl, 'demo', (m) => new ConfigError(m));
  const [names, are, them] = set.length === 1 ? [set[0], 'is', set[0]] : [set.join(', '), 'are', 'them'];
  throw new ConfigError(`${names} ${are} set but KEYSTONE_URL is not: no Keystone runs, so no token is validated here (each upstream judges it) and no catalog is read; set KEYSTONE_URL (or SIMULATE=keystone), or unset ${them}`);
}

/** Environment -> typed config. Throws ConfigError with one clear line for any bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env.GRAPHQL_MAX_COST) {
    throw new ConfigError('GRAPHQL_MAX_COST was replaced by GRAPHQL_MAX_NODES (the most objects an answer may hold)');
  }
  const port = parsePort(env.PORT);
  const simulate = parseSimulate(env.SIMULATE);
  const urls: Partial<Record<ServiceName, string>> = {};
  for (const s of SERVICES) {
    const raw = env[URL_VARS[s]];
    if (raw !== undefined && raw.trim() !== '') urls[s] = parseServiceUrl(s, raw.trim());
  }
  const unconfigured = Object.keys(urls).length === 0 && !env.KEYSTONE_URL?.trim();
  const production = env.NODE_ENV === 'production';
  // KEYSTONE_URL counts as explicit: the catalog names the endpoints (issue 16).
  if (production && unconfigured && simulate.size === 0) {
    throw new ConfigError(
      'NODE_ENV=production and no CINDER_URL, MANILA_URL, SDRS_URL or KEYSTONE_URL is set: refusing to serve simulated data; set the upstream URLs, or SIMULATE=cinder,manila,sdrs to run on the simulators on purpose',
    );
  }
  // The demo (every service simulated, any token or none the demo admin) never in production: only what SIMULATE names.
  const demoDefault = unconfigured && !production;
  const identity = parseIdentity(env, parseUrl, simulate.has('keystone') ? 'required' : demoDefault ? 'demo' : null, (m) => new ConfigError(m));
  if (identity.kind === 'none') refuseKeystoneSettingsWithoutKeystone(env);
  for (const s of SERVICES) {
    if (urls[s]?.includes(PROJECT_TEMPLATE) && identity.kind === 'none') {
      const spelling = projectSpellingIn(env[URL_VARS[s]] ?? '');
      throw new ConfigError(`${URL_VARS[s]} holds ${spelling}, which only a Keystone token can fill: set KEYSTONE_URL (or drop it)`);
    }
  }
  const services = {} as Record<ServiceName, ServiceMode>;
  for (const s of SERVICES) {
    const url = urls[s];
    if (url && simulate.has(s)) {
      throw new ConfigError(`${URL_VARS[s]} is set and SIMULATE names ${s}; choose one`);
    }
    if (url) services[s] = { kind: 'real', url };
    else if (demoDefault || simulate.has(s)) services[s] = { kind: 'simulated' };
    else if (identity.kind === 'keystone' && identity.url !== 'simulated') services[s] = { kind: 'catalog' };
    else services[s] = { kind: 'absent' };
  }
  const observability = parseObservability(env, (m) => new ConfigError(m));
  checkMetricsPort(port, observability);
  return {
    port,
    host: parseHost(env.HOST),
    services,
    demo: unconfigured && SERVICES.every((s) => services[s].kind === 'simulated'),
    identity,
    upstreamTimeoutMs: parseMillis('UPSTREAM_TIMEOUT_MS', env.UPSTREAM_TIMEOUT_MS, 5_000),
    upstreamConnections: parseAtMost('UPSTREAM_MAX_CONNECTIONS', env.UPSTREAM_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, 1024),
    proxy: proxySettings(env, (message) => new ConfigError(message)),
    development: env.NODE_ENV === 'development',
    compileAfter: parseCompileAfter(env.GRAPHQL_COMPILE_AFTER),
    observability,
    limits: {
      requestDeadlineMs: parseMillis('REQUEST_DEADLINE_MS', env.REQUEST_DEADLINE_MS, 10_000),
      maxInFlight: parsePositive('MAX_IN_FLIGHT', env.MAX_IN_FLIGHT, 256),
      maxInFlightPerCaller: parseCount('MAX_IN_FLIGHT_PER_CALLER', env.MAX_IN_FLIGHT_PER_CALLER, 16),
      maxRefusedTokensPerClient: parseCount('MAX_REFUSED_TOKENS_PER_CLIENT', env.MAX_REFUSED_TOKENS_PER_CLIENT, 600),
      bodyTimeoutMs: parseMillis('BODY_TIMEOUT_MS', env.BODY_TIMEOUT_MS, 10_000),
      shutdownGraceMs: parseMillis('SHUTDOWN_GRACE_MS', env.SHUTDOWN_GRACE_MS, 20_000),
      shutdownDelayMs: parseDelay('SHUTDOWN_DELAY_MS', env.SHUTDOWN_DELAY_MS, 0),
      // Node's default; a balancer reusing a connection the facade is closing answers 502 to a POST it cannot resend.
      keepAliveTimeoutMs: parseMillis('KEEP_ALIVE_TIMEOUT_MS', env.KEEP_ALIVE_TIMEOUT_MS, 5_000),
      maxDepth: parsePositive('GRAPHQL_MAX_DEPTH', env.GRAPHQL_MAX_DEPTH, 10),
      maxAliases: parsePositive('GRAPHQL_MAX_ALIASES', env.GRAPHQL_MAX_ALIASES, 15),
      maxDirectives: parsePositive('GRAPHQL_MAX_DIRECTIVES', env.GRAPHQL_MAX_DIRECTIVES, 20),
      maxTokens: parsePositive('GRAPHQL_MAX_TOKENS', env.GRAPHQL_MAX_TOKENS, 2_000),
      maxNodes: parsePositive('GRAPHQL_MAX_NODES', env.GRAPHQL_MAX_NODES, 50_000),
      maxResponseBytes: parsePositive('MAX_RESPONSE_BYTES', env.MAX_RESPONSE_BYTES, 32 * 1024 * 1024),
      compressResponses: parseBoolean('RESPONSE_COMPRESSION', env.RESPONSE_COMPRESSION, true),
      introspection: parseBoolean('GRAPHQL_INTROSPECTION', env.GRAPHQL_INTROSPECTION, true),
      corsOrigins: parseOrigins(env.CORS_ORIGINS),
      subscriptionPollMaxMs: parsePollMax(env.SUBSCRIPTION_POLL_MAX_MS),
      maxSubscriptionsPerConnection: parsePositive('MAX_SUBSCRIPTIONS_PER_CONNECTION', env.MAX_SUBSCRIPTIONS_PER_CONNECTION, 50),
      maxSubscriptions: parsePositive('MAX_SUBSCRIPTIONS', env.MAX_SUBSCRIPTIONS, 5_000),
      maxSubscriptionsPerCaller: parsePositive('MAX_SUBSCRIPTIONS_PER_CALLER', env.MAX_SUBSCRIPTIONS_PER_CALLER, 1_000),
      maxConnections: parsePositive('MAX_CONNECTIONS', env.MAX_CONNECTIONS, 10_000),
      maxConnectionsPerClient: parseCount('MAX_CONNECTIONS_PER_CLIENT', env.MAX_CONNECTIONS_PER_CLIENT, 1_000),
      trustedProxies: trustedProxies(env.TRUSTED_PROXIES),
    },
  };
}
