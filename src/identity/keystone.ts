import type { Dispatcher } from 'undici';
import { UpstreamError } from '../errors.js';
import type { Caller } from '../upstreams/caller.js';
import { HttpClient, path } from '../upstreams/http.js';
import { textOf } from '../upstreams/wire.js';
import type { UpstreamTelemetry } from '../observability/upstream.js';
import { type CatalogChoice, type KeystoneCatalogEntry, catalogFor, catalogOf } from './catalog.js';
import { TokenCache } from './tokenCache.js';
import { toIsoUtc } from '../graphql/scalars.js';

/** Who a token says the caller is: what Keystone's token validation answers, minus what the facade never uses. */
export interface Identity {
  user: { id: string; name: string; domain: string | null };
  /** Null for a token scoped to a domain or to nothing: no project's data can be read with it. */
  project: { id: string; name: string; domain: string | null } | null;
  roles: readonly string[];
  expiresAt: Date;
  /** Only what endpointFor reads for the facade's KEYSTONE_INTERFACE (catalogFor), never the token's whole catalog. */
  catalog: readonly KeystoneCatalogEntry[];
}

interface WireToken {
  token?: {
    expires_at?: string;
    user?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    project?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
    roles?: { id?: string; name?: string }[];
    catalog?: KeystoneCatalogEntry[];
  };
}

export interface KeystoneOptions {
  /** KEYSTONE_URL: the identity v3 endpoint, e.g. http://127.0.0.1:5000/v3. */
  url: string;
  agent: Dispatcher;
  /** KEYSTONE_INTERFACE and KEYSTONE_REGION: which of a catalog's endpoints a validated token keeps. */
  choice: CatalogChoice;
  /** KEYSTONE_CACHE_SECONDS, in ms: a validated token is trusted this long at most (and never past its expiry). */
  cacheMs: number;
  /** Validated tokens kept at most. */
  cacheEntries?: number;
  /** What validated tokens may weigh in all, by bytesOfIdentity. */
  cacheBytes?: number;
  telemetry?: UpstreamTelemetry;
}

/**
 * The largest token validation answer read: a public cloud's catalog is 100-300 KB, and each answer is parsed
 * whole (the upstreams' limit, 32 MiB, is for listings; 1.2 MB catalogs ran the facade out of memory before).
 */
export const MAX_TOKEN_ANSWER_BYTES = 4 * 1024 * 1024;

/** Validates callers' tokens against Keystone and remembers the answers briefly, by a hash of the token. */
export class KeystoneClient {
  readonly http: HttpClient;
  readonly cache: TokenCache<Identity>;
  /** Validations in flight, by token hash: a burst of requests with one new token costs one Keystone call. */
  private readonly pending = new Map<string, Promise<Identity>>();
  /**
   * Tokens Keystone refused (401, 404), kept as long as accepted ones are (keystonemiddleware caches invalid
   * tokens the same way): a client that retries with a revoked token in a loop costs Keystone one call, not one a try.
   */
  private readonly refused: TokenCache<Refusal>;
  private readonly choice: CatalogChoice;
  /** KEYSTONE_CACHE_SECONDS, in ms: how long an answer of Keystone's is trusted. */
  readonly cacheMs: number;

  constructor(opts: KeystoneOptions) {
    this.cacheMs = opts.cacheMs;
    this.http = new HttpClient({ service: 'keystone', endpoint: opts.url, agent: opts.agent, telemetry: opts.telemetry });
    this.choice = opts.choice;
    const budget = { maxBytes: opts.cacheBytes ?? CACHE_BYTES, bytesOf: bytesOfIdentity };
    this.cache = new TokenCache(opts.cacheMs, opts.cacheEntries ?? 10_000, Date.now, budget);
    this.refused = new TokenCache(opts.cacheMs, opts.cacheEntries ?? 10_000);
  }

  /** The caller's identity; UNAUTHENTICATED for a token Keystone refuses, UPSTREAM_* when Keystone fails. */
  identify(token: string, caller: Caller): Identity | Promise<Identity> {
    // The request's hash of its token, when this is its token (it always is for the gate): hashed once per request.
    const key = caller.token === token && caller.tokenHash ? caller.tokenHash : TokenCache.keyOf(token);
    const refusal = this.refused.get(token, key);
    if (refusal) return Promise.reject(refusedToken(refusal));
    const known = this.cache.get(token, key);
    if (known) return known;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.validate(token, caller, key).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Whether Keystone accepted this token (by its TokenCache.keyOf) and the answer is still trusted. */
  accepted(key: string): boolean {
    return this.cache.has(key);
  }

  /** The project of a token Keystone accepted (by its TokenCache.keyOf), while the answer is trusted; else null. */
  projectOf(key: string): string | null {
    return this.cache.peek(key)?.project?.id ?? null;
  }

  /** Every project Keystone lets this (admin) caller see: one call, however many objects link to projects. */
  async listProjects(caller: Caller): Promise<ProjectRef[]> {
    const res = await this.http.as(caller, { method: 'GET', path: path`/projects` });
    const listed = (res.json as { projects?: unknown } | undefined)?.projects;
    const projects = (Array.isArray(listed) ? listed : []) as ({ id?: unknown; name?: unknown; domain_id?: unknown } | null)[];
    return projects.filter((p) => typeof p?.id === 'string').map((p) => ({ id: p!.id as string, name: textOf(p!.name) ?? null, domain: textOf(p!.domain_id) ?? null }));
  }

  private async validate(token: string, caller: Caller, key: string): Promise<Identity> {
    let json: unknown;
    let status = 200;
    try {
      // Keystone's default policy lets a token validate itself (identity:validate_token: "... or token_subject").
      // Shared by every request of this token meanwhile: not cut when the first one's client leaves. Keystone's
      // failures are blamed on the client's address, as the door counts a token not known yet.
      const identity = caller.addressIdentity ?? caller.identity;
      const res = await this.http.as({ ...caller, token, identity, gets: undefined, cutoff: undefined }, {
        method: 'GET',
        path: path`/auth/tokens`,
        headers: { 'x-subject-token': token },
        maxBytes: MAX_TOKEN_ANSWER_BYTES,
      });
      // Keystone names the token it validated: another one (a cache or proxy in front of it mixing answers up) is its fault.
      const subject = res.headers['x-subject-token'];
      if (typeof subject === 'string' && subject !== token) throw otherSubject(res.status);
      json = res.json;
      status = res.status;
    } catch (err) {
      // Keystone's own 403 (its error envelope): a proxy's or firewall's in front of it is the deployment's fault.
      if (err instanceof UpstreamError && err.status === 403 && err.upstreamCode === KEYSTONE_ENVELOPE) throw mayNotValidate(err);
      if (err instanceof UpstreamError && err.status === 404 && err.upstreamCode !== KEYSTONE_ENVELOPE) throw notKeystone(err);
      if (err instanceof UpstreamError && (err.status === 401 || err.status === 404)) {
        // What the answer said, not the error: a flood of bad tokens must not keep thousands of stack traces.
        const refusal: Refusal = { status: err.status, requestId: err.requestId, upstreamCode: err.upstreamCode };
        this.refused.set(token, refusal, Number.POSITIVE_INFINITY, key);
        // Counted only here, where Keystone was asked: a refusal answered from the cache above costs it nothing.
        caller.tokenRefused?.();
        throw refusedToken(refusal);
      }
      throw err instanceof UpstreamError && faultOfKeystone(err.status) ? keystoneFault(err) : err;
    }
    const identity = identityOf(json, this.choice, status);
    // Keystone answers 404 for an expired token, unless asked to allow it (or a cache in front of it is stale).
    if (identity.expiresAt.getTime() <= Date.now()) {
      this.refused.set(token, { status: 401, requestId: null, upstreamCode: null }, Number.POSITIVE_INFINITY, key);
      caller.tokenRefused?.();
      throw new UpstreamError('UNAUTHENTICATED', 'The Keystone token has expired; get a new one.', 'keystone', 401, null, null);
    }
    this.cache.set(token, identity, identity.expiresAt.getTime(), key);
    return identity;
  }
}

/**
 * The name parseEnvelope gives Keystone's `{"error": {"code": 404, "title", "message"}}`: a 404 without it comes from
 * something that is not Keystone's v3 API (a web server, a router), which says nothing about the token.
 */
const KEYSTONE_ENVELOPE = 'error';

function notKeystone(err: UpstreamError): UpstreamError {
  const message = 'Keystone token validation answered 404 without a Keystone error: KEYSTONE_URL may not be the identity v3 endpoint.';
  return new UpstreamError('UPSTREAM_ERROR', message, 'keystone', err.status, err.requestId, err.upstreamCode);
}

/**
 * A 4xx to the facade's own validation call that is not about the token (401, 404; Keystone's own 403 is taken
 * first), a timeout (408) or a throttle (429): the facade's request or Keystone is at fault, never the client's input.
 */
const faultOfKeystone = (status: number): boolean => status >= 400 && status < 500 && ![401, 404, 408, 429].includes(status);

/** Keystone's text speaks of the validation call, which the client never made: kept as upstreamMessage, not shown. */
function keystoneFault(err: UpstreamError): UpstreamError {
  const message = `Keystone failed to validate the token (HTTP ${err.status}): a fault of Keystone or of its configuration, not of this request.`;
  const fault = new UpstreamError('UPSTREAM_ERROR', message, 'keystone', err.status, err.requestId, err.upstreamCode);
  fault.upstreamMessage = err.upstreamMessage ?? err.message;
  return fault;
}

/**
 * A 403 to the token validating itself (identity:validate_token lets a token's subject do it by default): the token's
 * own permissions (an application credential's access rules) or the cloud's policy; about this caller, not a fault.
 */
function mayNotValidate(err: UpstreamError): UpstreamError {
  const message = 'Keystone does not let this token validate itself (identity:validate_token): an application credential restricted by access rules, or the cloud\'s policy; use a token that may.';
  const refusal = new UpstreamError('FORBIDDEN', message, 'keystone', err.status, err.requestId, err.upstreamCode);
  refusal.upstreamMessage = err.upstreamMessage ?? err.message;
  return refusal;
}

function otherSubject(status: number): UpstreamError {
  const message = 'Keystone answered the validation of another token (its X-Subject-Token differs): something in front of Keystone mixes answers up.';
  return new UpstreamError('UPSTREAM_ERROR', message, 'keystone', status, null, null);
}

/** Keystone's answer to a token it refused. */
interface Refusal {
  status: number;
  requestId: string | null;
  upstreamCode: string | null;
}

function refusedToken(r: Refusal): UpstreamError {
  return new UpstreamError('UNAUTHENTICATED', 'Keystone does not accept this token (expired, revoked or unknown); get a new one.', 'keystone', r.status, r.requestId, r.upstreamCode);
}

/** A project as the facade shows it. */
export interface ProjectRef {
  id: string;
  name: string | null;
  domain: string | null;
}

function identityOf(json: unknown, choice: CatalogChoice, status: number): Identity {
  const t = (json as WireToken | undefined)?.token;
  // Application credential tokens come without a zone (Zed): UTC, as every OpenStack time, never local time.
  const iso = typeof t?.expires_at === 'string' ? toIsoUtc(t.expires_at) : null;
  const expires = iso === null ? Number.NaN : Date.parse(iso);
  if (typeof t?.user?.id !== 'string' || !t.user.id || Number.isNaN(expires)) {
    throw new UpstreamError('UPSTREAM_ERROR', 'Keystone validated the token but its answer has no user or expiry.', 'keystone', status, null, null);
  }
  return {
    user: { id: t.user.id, name: t.user.name ?? t.user.id, domain: t.user.domain?.name ?? t.user.domain?.id ?? null },
    project: typeof t.project?.id === 'string' && t.project.id
      ? { id: t.project.id, name: t.project.name ?? t.project.id, domain: t.project.domain?.name ?? t.project.domain?.id ?? null }
      : null,
    roles: (Array.isArray(t.roles) ? t.roles : []).map((r) => r?.name).filter((r): r is string => typeof r === 'string' && r !== ''),
    expiresAt: new Date(expires),
    catalog: catalogFor(catalogOf(t.catalog), choice),
  };
}

/** What the token cache may weigh in all: ~10,000 identities of a few catalog endpoints each. */
const CACHE_BYTES = 64 * 1024 * 1024;

/** An Identity's weight for the cache: its JSON at two bytes a character, plus its objects' headers, roughly. */
function bytesOfIdentity(identity: Identity): number {
  return 2 * JSON.stringify(identity).length + 512;
}

/** Admin as Keystone's default policies and Cinder's and Manila's read it: the `admin` role. */
export const isAdmin = (identity: Identity | null): boolean => identity?.roles.includes('admin') ?? false;
