import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from './config.js';
import { type ServiceName, UpstreamError } from './errors.js';
import { type AboutShape, aboutFor } from './graphql/about.js';
import type { CallerIdentity, CallerUpstreams, IdentityGate } from './identity/gate.js';
import type { Identity, ProjectRef } from './identity/keystone.js';
import type { RequestTrace } from './observability/requestTrace.js';
import { createProjectLoader } from './identity/projects.js';
import { TokenCache } from './identity/tokenCache.js';
import { clientOf } from './http/clientAddress.js';
import type DataLoader from 'dataloader';
import { type Caller, Cutoff } from './upstreams/caller.js';
import { type AcceptedTokens, acceptsToken } from './identity/acceptedTokens.js';
import type { TokenRefusals } from './identity/tokenRefusals.js';
import type { CinderClient } from './upstreams/cinder/client.js';
import { type CinderLoaders, createCinderLoaders } from './upstreams/cinder/loaders.js';
import type { ManilaClient } from './upstreams/manila/client.js';
import { type ManilaAccess, createManilaAccess } from './upstreams/manila/loaders.js';
import type { SdrsClient } from './upstreams/sdrs/client.js';
import { type SdrsLoaders, createSdrsLoaders } from './upstreams/sdrs/loaders.js';

/** Process-wide upstream clients; null for a service that is neither configured nor simulated. */
export interface Upstreams {
  cinder: CinderClient | null;
  manila: ManilaClient | null;
  sdrs: SdrsClient | null;
}

export interface RequestContext {
  caller: Caller;
  about: AboutShape;
  /** Who the caller is, from Keystone; null without KEYSTONE_URL. */
  identity: Identity | null;
  /** `viewer.services`: each upstream as this caller reaches it (with Keystone, its own endpoints). */
  servicesForCaller(): AboutShape['services'];
  /** `project { id name }` links; null without Keystone. */
  projects(): DataLoader<string, ProjectRef | null>;
  /** Cinder client and this request's loaders; throws UPSTREAM_UNAVAILABLE when Cinder is not set up. */
  cinder(): { client: CinderClient; loaders: CinderLoaders };
  /** Manila client, its legacy CG API and this request's loaders; throws UPSTREAM_UNAVAILABLE when Manila is not set up. */
  manila(): ManilaAccess;
  /** SDRS client and this request's loaders; throws UPSTREAM_UNAVAILABLE when SDRS is not set up. */
  sdrs(): { client: SdrsClient; loaders: SdrsLoaders };
  /**
   * The response is written: let go of the loaders and everything they read. Whatever still refers to this
   * context then holds a few small objects instead of the request's data (see the server's call). A call to
   * `cinder()` etc. afterwards would get fresh, empty loaders.
   */
  dispose(): void;
  /** Apollo's response object of this request (the server's plugin hands it over): `dispose` empties it. */
  holdAnswer(response: { body: unknown }): void;
}

/**
 * What a disposed request's Apollo response holds instead of its result tree. Apollo's gateway request context
 * keeps Apollo's whole request context reachable from the old generation (see `dispose`); the answer is text by
 * then, and the tree with the upstream strings in it would otherwise be copied through scavenges and promoted.
 */
const RELEASED_ANSWER = Object.freeze({ kind: 'single', singleResult: Object.freeze({}) });

const HINT: Record<ServiceName, string> = {
  cinder: 'set CINDER_URL or add cinder to SIMULATE',
  manila: 'set MANILA_URL or add manila to SIMULATE',
  sdrs: 'set SDRS_URL or add sdrs to SIMULATE',
};

export function notConfigured(service: ServiceName): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_UNAVAILABLE',
    `The ${service} service is not configured on this facade (${HINT[service]}).`,
    service,
    0,
    null,
    null,
  );
}

/** The caller's token: X-Auth-Token, or an `Authorization: Bearer` header. */
export function tokenFrom(headers: { get(name: string): string | undefined }): string | null {
  const direct = headers.get('x-auth-token')?.trim();
  if (direct) return direct;
  const auth = headers.get('authorization')?.trim();
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return m?.[1] ?? null;
}

/** Keystone's tokens (Fernet, JWS) are a few hundred printable characters; this leaves room for any real one. */
const MAX_TOKEN_LENGTH = 4096;
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Why a token cannot be one, or null: refused at the door (401) before any call. Sent on, a token with a control
 * or non-ASCII character is one the HTTP client refuses to send, which counted as the upstream failing (it
 * opened Keystone's circuit for everyone), and one of kilobytes got Keystone's 431 back as a 502.
 */
export function malformedToken(token: string | null): string | null {
  if (token === null) return null;
  if (token.length > MAX_TOKEN_LENGTH) return `The token is longer than ${MAX_TOKEN_LENGTH} characters, which no Keystone token is.`;
  if (!TOKEN_CHARACTERS.test(token)) return 'The token holds characters no token has: printable ASCII only, no spaces (one token, one header).';
  return null;
}

/** tokenFrom over Node's request headers: the door needs the caller before Apollo's HeaderMap exists. */
export function tokenOf(headers: IncomingHttpHeaders): string | null {
  return tokenFrom({
    get: (name) => {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  });
}

export function aboutFrom(config: Config, endpoints: Partial<Record<ServiceName, string>>): AboutShape {
  return {
    services: (Object.keys(config.services) as ServiceName[]).map((name) => {
      const mode = config.services[name];
      return {
        name,
        mode: mode.kind === 'real' || mode.kind === 'catalog' ? 'REAL' : mode.kind === 'simulated' ? 'SIMULATED' : 'ABSENT',
        endpoint: endpoints[name] ?? null,
      };
    }),
  };
}

/**
 * A caller's identity for per-caller rules: a token hash (`tokenHash`: TokenCache.keyOf of the token, when the
 * caller has it already), else the client address (an IPv6 address's /64: clientOf); never the token.
 */
export function callerIdentity(token: string | null, clientAddress: string | undefined, tokenHash = token ? TokenCache.keyOf(token) : undefined): string {
  if (token) return `token:${tokenHash!.slice(0, 22)}`;
  return `address:${clientOf(clientAddress)}`;
}

/** Who the door counts a request (or a subscription's start) against: see `doorCaller`. */
export interface DoorCaller {
  key: string;
  /** The request's token hash (TokenCache.keyOf), made once here for every later use. */
  tokenHash: string | undefined;
  /**
   * The token's own key when `key` is its address's until the token is known to be real (then: `countAs` it):
   * Keystone accepting it, or without Keystone an upstream (`by`).
   */
  onceAccepted: string | null;
  by: 'keystone' | 'upstream' | null;
  /** With Keystone, `project:<id>` of a token it accepted already: whose load the door weighs (Admission.spared). */
  group?: string;
}

/**
 * Who the door counts a request against (MAX_IN_FLIGHT_PER_CALLER): a token only once it is known to be real.
 * Until then the request counts against its client address, so a client making up a token per request is one
 * caller, not thousands. With Keystone, known once Keystone accepts it; without, once an upstream answered a call
 * made with it (`accepted`: AcceptedTokens; none given, every token counts as its own caller).
 */
export function doorCaller(
  identityAdmission: IdentityAdmission | null,
  token: string | null,
  clientAddress: string | undefined,
  accepted?: Pick<AcceptedTokens, 'has'>,
): DoorCaller {
  const tokenHash = token ? TokenCache.keyOf(token) : undefined;
  const own = callerIdentity(token, clientAddress, tokenHash);
  if (token) {
    const keystone = validates(identityAdmission, token);
    const known = keystone ? identityAdmission!.gate.keystone.accepted(tokenHash!) : (accepted?.has(own) ?? true);
    if (!known) return { key: callerIdentity(null, clientAddress), tokenHash, onceAccepted: own, by: keystone ? 'keystone' : 'upstream' };
    const project = keystone ? identityAdmission!.gate.keystone.projectOf(tokenHash!) : null;
    if (project !== null) return { key: own, tokenHash, onceAccepted: null, by: null, group: `project:${project}` };
  }
  return { key: own, tokenHash, onceAccepted: null, by: null };
}

/**
 * For a request counted against its address until an upstream accepts its token: the Caller.tokenAnswered that,
 * at the first answer showing the token is real, remembers it and moves the request to the token's own count.
 */
export function upstreamAcceptance(
  door: DoorCaller,
  accepted: AcceptedTokens,
  countAs: (caller: string) => void,
  /** refusalCounter's: an upstream's 401 is a refusal of the token, counted against the address. */
  refused?: () => void,
): ((status: number) => void) | undefined {
  const own = door.onceAccepted;
  if (door.by !== 'upstream' || own === null) return undefined;
  let done = false;
  return (status) => {
    if (status === 401) refused?.();
    if (done || !acceptsToken(status)) return;
    done = true;
    accepted.add(own);
    countAs(own);
  };
}

/**
 * For a request (or a subscription's start) whose token is not known yet: counts a refusal of its token, by
 * Keystone or by an upstream's 401, against its client address, once (TokenRefusals). Undefined otherwise.
 */
export function refusalCounter(door: DoorCaller, refusals: TokenRefusals | undefined): (() => void) | undefined {
  if (door.onceAccepted === null || !refusals) return undefined;
  let counted = false;
  return () => {
    if (counted) return;
    counted = true;
    refusals.refused(door.key);
  };
}

/** The client, or the error its fields answer: not configured, or (with Keystone) not in the caller's catalog. */
function usable<C>(service: ServiceName, client: C | UpstreamError | null): C {
  if (client === null) throw notConfigured(service);
  if (client instanceof UpstreamError) throw client;
  return client;
}

/** Who is asking and by when, for one GraphQL request (`trace`: its ids and counts, from the server). */
export function newCaller(
  token: string | null,
  deadlineMs: number,
  clientAddress?: string,
  trace?: RequestTrace,
  // Hashed once per request (by the door when it has it): the breaker's identity and the token cache's key.
  tokenHash = token ? TokenCache.keyOf(token) : undefined,
): Caller {
  const deadline = Date.now() + deadlineMs;
  return {
    token,
    requestId: trace?.upstreamRequestId ?? `req-${randomUUID()}`,
    trace,
    identity: callerIdentity(token, clientAddress, tokenHash),
    addressIdentity: clientAddress === undefined ? undefined : callerIdentity(null, clientAddress),
    tokenHash,
    deadline,
    gets: new Map(),
    cutoff: new Cutoff(deadline, deadlineMs),
    lanes: new Map(),
  };
}

/** With Keystone configured: the gate every request passes, and whether a request may skip it (demo mode). */
export interface IdentityAdmission {
  gate: IdentityGate;
  /** False in demo mode: only simulated `role:project` tokens are validated; others are the demo admin. */
  required: boolean;
}

// The built-in Keystone simulator's users (demo mode); any other demo token is the demo admin, as before Keystone.
const SIMULATED_USER = /^(admin|member|reader):[0-9a-f-]+$/i;

/**
 * The request's context; with Keystone, only once its token is validated (a refusal throws the 401/503 Apollo
 * answers, before any upstream call).
 */
export async function admittedContext(
  shared: Upstreams,
  about: AboutShape,
  identityAdmission: IdentityAdmission | null,
  token: string | null,
  deadlineMs: number,
  clientAddress?: string,
  trace?: RequestTrace,
  tokenHash?: string,
  /** refusalCounter's, for a token not known yet: told if Keystone refuses it. */
  tokenRefused?: () => void,
): Promise<RequestContext> {
  const caller = newCaller(token, deadlineMs, clientAddress, trace, tokenHash);
  caller.tokenRefused = tokenRefused;
  const admitted = await admitCaller(identityAdmission, token, caller);
  return createContext(shared, about, token, deadlineMs, clientAddress, admitted, caller);
}

/**
 * The token through the Keystone gate when one is configured (the refusal throws the 401/503): the caller's
 * identity and clients, or undefined where no gate applies. Subscriptions keep it to build a context per read.
 */
export async function admitCaller(identityAdmission: IdentityAdmission | null, token: string | null, caller: Caller): Promise<CallerIdentity | undefined> {
  if (!validates(identityAdmission, token)) return undefined;
  const admitted = await identityAdmission!.gate.admit(token, caller);
  // The breaker blames a person, not each of their tokens: one member's three tokens opened Cinder for everyone.
  if (admitted) caller.identity = `user:${admitted.identity.user.id}`;
  // And the users of one project cannot open it for the other projects: they open their project's own.
  if (admitted?.identity.project) caller.project = `project:${admitted.identity.project.id}`;
  return admitted;
}

/** Whether this token goes through the Keystone gate (demo mode lets tokens of no simulated user by as the admin). */
function validates(identityAdmission: IdentityAdmission | null, token: string | null): boolean {
  return identityAdmission !== null && (identityAdmission.required || (token !== null && SIMULATED_USER.test(token)));
}

/** Built once per GraphQL request: nothing in it outlives the request. */
export function createContext(
  shared: Upstreams,
  about: AboutShape,
  token: string | null,
  deadlineMs = 10_000,
  clientAddress?: string,
  /** With Keystone: the caller's identity and its own clients, which replace the process-wide ones. */
  admitted?: CallerIdentity,
  caller: Caller = newCaller(token, deadlineMs, clientAddress),
): RequestContext {
  const upstreams: CallerUpstreams = admitted?.upstreams ?? shared;
  let cinder: { client: CinderClient; loaders: CinderLoaders } | undefined;
  let manila: ManilaAccess | undefined;
  let sdrs: { client: SdrsClient; loaders: SdrsLoaders } | undefined;
  let projects: DataLoader<string, ProjectRef | null> | undefined;
  let answer: { body: unknown } | undefined;
  return {
    caller,
    about,
    identity: admitted?.identity ?? null,
    projects: () => (projects ??= createProjectLoader(admitted?.identity ?? null, admitted?.keystone ?? null, caller)),
    servicesForCaller: () =>
      admitted ? about.services.map((s) => ({ ...s, endpoint: admitted.endpoints[s.name] })) : aboutFor(about, token).services,
    cinder() {
      const client = usable('cinder', upstreams.cinder);
      cinder ??= { client, loaders: createCinderLoaders(client, caller) };
      return cinder;
    },
    manila() {
      const client = usable('manila', upstreams.manila);
      manila ??= createManilaAccess(client, caller);
      return manila;
    },
    sdrs() {
      const client = usable('sdrs', upstreams.sdrs);
      sdrs ??= { client, loaders: createSdrsLoaders(client, caller) };
      return sdrs;
    },
    dispose() {
      cinder = undefined;
      manila = undefined;
      sdrs = undefined;
      projects = undefined;
      caller.gets?.clear();
      caller.lanes?.clear();
      caller.cutoff?.release();
      if (answer) answer.body = RELEASED_ANSWER;
      answer = undefined;
    },
    holdAnswer(response) {
      answer = response;
    },
  };
}
