import { randomUUID } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { type UpstreamService, UpstreamError } from '../errors.js';
import { type Caller, Cutoff } from './caller.js';
import { Bulkhead, BulkheadRejection, CircuitBreaker, RetryBudget, hostBulkhead, retryDelayMs } from './resilience.js';
import { BULKHEAD_FULL, cancellationOf, cancelledCall, markNotSent, notSentReason, transient, upstreamFault, withoutToken } from './failureKinds.js';
import { RoundTripClock } from './roundTrips.js';
import { type Method, type RawResponse, type Target, exchangeOnce, splitUrl } from './transport.js';
import type { RequestTrace } from '../observability/requestTrace.js';
import { routeTemplate } from '../observability/route.js';
import { NO_TELEMETRY, type UpstreamTelemetry } from '../observability/upstream.js';
import { type ErrorClassifier, circuitOpenError, cleanMessage, codeForStatus, networkError, outcomeUnknown, outcomeUnknownAnswer, parseEnvelope, proxyRefusal, requestIdOf, serviceLabel, tokenOfAnotherProject, writeMayHaveHappened } from './upstreamErrors.js';

// Part of this module's surface since before the error mapping had a module of its own.
export { type ErrorClassifier, codeForStatus, serviceLabel } from './upstreamErrors.js';

// The process's agent: part of this module's surface since before it had a module of its own.
export { type HttpTimeouts, DEFAULT_TIMEOUTS, createAgent } from './agent.js';

export { path } from './paths.js';

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface UpstreamRequest {
  method: Method;
  /** Path below the configured endpoint, already encoded (build it with `path`). */
  path: string;
  query?: Query;
  body?: unknown;
  /** Caller's token, forwarded as X-Auth-Token. */
  token?: string | null;
  /** Sent as X-Openstack-Request-Id so upstream logs can be joined with ours. */
  requestId?: string;
  headers?: Record<string, string>;
  /** Epoch ms by which the whole GraphQL request must be answered; the call is cut short to fit. */
  deadline?: number;
  /** Cuts the call at that deadline (the caller's); without it the call gets one of its own. */
  cutoff?: Cutoff;
  /** The caller's own share of this upstream (see `Caller.lanes`), entered before the shared bulkhead. */
  lane?: Bulkhead;
  /** Who is asking (`Caller.identity`): the breaker blames failures this request may have provoked on them. */
  identity?: string;
  /** `Caller.project`: the breaker keeps a circuit of the project's own. */
  project?: string;
  /** Whose turn the call waits for at a full bulkhead: the project, else the caller as the door counts it. */
  queueAs?: string;
  /** The GraphQL request this call is part of (`Caller.trace`): its counts, ids and span. */
  trace?: RequestTrace;
  /** `Caller.tokenAnswered`: told the status of the answer (the door learns whether the token is real). */
  tokenAnswered?: (status: number) => void;
  /** A POST that only reads (Cinder's list_replication_targets action): a failure is a read's, never OUTCOME_UNKNOWN. */
  readOnly?: boolean;
  /** The largest answer body read for this call (default MAX_RESPONSE_BYTES, for listings). */
  maxBytes?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; undefined for an empty body. */
  json: unknown;
}

/**
 * Builds the query string; undefined/null values are left out, booleans are sent as "true"/"false". Percent-encoded
 * (a space as %20), which every upstream decodes as URLSearchParams' form encoding; built without one per call.
 */
export function queryString(query: Query | undefined): string {
  if (!query) return '';
  let s = '';
  for (const k in query) {
    const v = query[k];
    if (v === undefined || v === null) continue;
    s += `${s ? '&' : '?'}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return s;
}

export interface HttpClientOptions {
  service: UpstreamService;
  /** Endpoint as the Keystone catalog lists it, e.g. http://host:8776/v3/<project>. */
  endpoint: string;
  agent: Dispatcher;
  classify?: ErrorClassifier;
  breaker?: CircuitBreaker;
  bulkhead?: Bulkhead;
  /** Logs, metrics and spans of every call (src/observability/upstream.ts); default: counts only. */
  telemetry?: UpstreamTelemetry;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A client's headers object (the microversion it negotiated) is the same one call after call.
const headersKeys = new WeakMap<Record<string, string>, string>();

function headersKey(headers: Record<string, string>): string {
  let key = headersKeys.get(headers);
  if (key === undefined) headersKeys.set(headers, (key = JSON.stringify(headers)));
  return key;
}

/** A GET, or a POST that only reads (Cinder's list_replication_targets): no change, so it may be cut or retried. */
const readsOnly = (req: UpstreamRequest): boolean => req.method === 'GET' || req.readOnly === true;

/** A write that would be sent with too little time left to be answered (Cutoff.writeFloorMs): not sent at all. */
function tooLateToWrite(service: UpstreamService, cutoff: Cutoff): UpstreamError {
  const message = `Less than ${Math.round(cutoff.writeFloorMs)} ms was left before the request deadline (REQUEST_DEADLINE_MS): this write was not sent, so nothing of it happened.`;
  return markNotSent(new UpstreamError('UPSTREAM_TIMEOUT', message, service, 0, null, null), 'local');
}

/** The one place HTTP happens. Errors leave it only as UpstreamError. */
export class HttpClient {
  readonly service: UpstreamService;
  readonly endpoint: string;
  readonly breaker: CircuitBreaker;
  readonly bulkhead: Bulkhead;
  private readonly telemetry: UpstreamTelemetry;
  private readonly agent: Dispatcher;
  private readonly origin: string;
  /** The endpoint's path (e.g. /v3/<project>), put in front of every relative call. */
  private readonly basePath: string;
  private readonly classify: ErrorClassifier | undefined;
  private readonly retries = new RetryBudget();
  /** Time to response headers of recent calls: the planner weighs a round trip against reading ahead. */
  readonly roundTrips = new RoundTripClock();

  constructor(opts: HttpClientOptions) {
    this.service = opts.service;
    this.endpoint = opts.endpoint.replace(/\/+$/, '');
    const { origin, path: basePath } = splitUrl(this.endpoint);
    this.origin = origin;
    this.basePath = basePath.replace(/\/+$/, '');
    this.agent = opts.agent;
    this.classify = opts.classify;
    this.breaker = opts.breaker ?? new CircuitBreaker();
    this.bulkhead = opts.bulkhead ?? hostBulkhead();
    this.telemetry = opts.telemetry ?? NO_TELEMETRY;
  }

  /**
   * Sends a request on behalf of a caller: their token, request id and deadline. Identical GETs of one request
   * that are in flight at the same moment share one upstream call; once it has answered, the next identical GET
   * goes upstream again (job polling, re-reads after a write), and a write drops anything pending.
   */
  as(caller: Caller, req: Omit<UpstreamRequest, 'token' | 'requestId' | 'deadline'>): Promise<UpstreamResponse> {
    // The query string is built once, for the dedupe key and the URL alike.
    const target = req.path + queryString(req.query);
    // Field by field, not a spread: one shape for every call.
    const full: UpstreamRequest = {
      method: req.method,
      path: target,
      body: req.body,
      headers: req.headers,
      token: caller.token,
      requestId: caller.requestId,
      deadline: caller.deadline,
      cutoff: caller.cutoff,
      lane: caller.lanes && this.laneOf(caller.lanes),
      identity: caller.identity,
      project: caller.project,
      // A token no upstream has accepted yet is its client address's, as at the door: made-up tokens are not turns.
      queueAs: caller.project ?? (caller.tokenAnswered ? caller.addressIdentity : undefined) ?? caller.identity,
      trace: caller.trace,
      tokenAnswered: caller.tokenAnswered,
      readOnly: req.readOnly === true,
      maxBytes: req.maxBytes,
    };
    const gets = caller.gets;
    if (!gets) return this.send(full);
    if (req.method !== 'GET') {
      gets.clear();
      return this.send(full);
    }
    const key = `${this.service} ${target}${req.headers ? ` ${headersKey(req.headers)}` : ''}`;
    let pending = gets.get(key) as Promise<UpstreamResponse> | undefined;
    if (!pending) {
      const sent = this.send(full);
      pending = sent;
      gets.set(key, sent);
      const forget = () => {
        if (gets.get(key) === sent) gets.delete(key);
      };
      sent.then(forget, forget);
    }
    return pending;
  }

  private laneOf(lanes: Map<object, Bulkhead>): Bulkhead {
    let lane = lanes.get(this);
    if (!lane) {
      lane = new Bulkhead(this.bulkhead.maxActive, Number.POSITIVE_INFINITY);
      lanes.set(this, lane);
    }
    return lane;
  }

  /**
   * Sends a request to an absolute URL (version discovery) or an endpoint-relative path. GETs get at most one
   * retry for a transient failure, within the retry budget and the deadline; anything else is sent exactly once:
   * a POST that starts work in a disaster is never repeated behind the caller's back.
   */
  async send(req: UpstreamRequest, absoluteUrl?: string): Promise<UpstreamResponse> {
    // A call of no request (a start-up version read) still gets an id the upstream logs and ours can name.
    if (!req.requestId) req = { ...req, requestId: `req-${randomUUID()}` };
    const attempts = req.method === 'GET' ? 2 : 1;
    // Metric labels and span names: a template (`/groups/{id}`), never the raw path or the endpoint's project.
    const route = routeTemplate(absoluteUrl === undefined ? req.path : new URL(absoluteUrl).pathname);
    this.retries.earn();
    for (let attempt = 1; ; attempt++) {
      // Half-open is a matter of time passing, not of a call: it is logged when a probe goes out.
      const wasHalfOpen = this.breaker.state === 'half-open';
      const projectWasHalfOpen = req.project !== undefined && this.breaker.projectState(req.project) === 'half-open';
      if (!this.breaker.allow(req.identity, req.project)) {
        this.telemetry.circuitRefused(this.service, req.trace);
        throw circuitOpenError(this.service, this.breaker.state === 'closed' && this.breaker.projectState(req.project) !== 'closed');
      }
      if (wasHalfOpen) this.telemetry.circuitChanged(this.service, this.origin, 'open', 'half-open', req.trace);
      if (projectWasHalfOpen) this.telemetry.circuitChanged(this.service, this.origin, 'open', 'half-open', req.trace, req.project);
      try {
        const res = await this.sendOnce(req, route, absoluteUrl);
        this.record(true, undefined, req);
        return res;
      } catch (err) {
        const unsent = notSentReason(err);
        if (unsent === 'local' || (err instanceof UpstreamError && err.upstreamCode === BULKHEAD_FULL)) {
          this.breaker.abandon(req.project);
          throw err;
        }
        if (!upstreamFault(err)) this.record(true, undefined, req);
        else this.record(false, unsent === 'unreached' ? undefined : req.identity, req);
        if (!(err instanceof UpstreamError)) throw err;
        const wait = retryDelayMs(err.retryAfter, 1_000);
        const retry =
          attempt < attempts && transient(err) && (req.deadline === undefined || Date.now() + wait < req.deadline) && this.retries.spend();
        this.telemetry.failure(this.service, req.method, route, err, req.trace, retry ? wait : undefined, req.requestId);
        if (!retry) throw err;
        await sleep(wait);
      }
    }
  }

  /** Whether the host answers HTTP at all (versions.ts, for /readyz): sent once, counted by no breaker, no caller's. */
  async answers(deadline: number): Promise<boolean> {
    return this.sendOnce({ method: 'GET', path: '', deadline, requestId: `req-${randomUUID()}` }, '/', `${this.origin}/`).then(
      () => true,
      (err: unknown) => err instanceof UpstreamError && err.status > 0,
    );
  }

  /** One outcome for the breaker; a change of its state, or of the project's, is logged (with the request). */
  private record(ok: boolean, provokedBy: string | undefined, req: UpstreamRequest): void {
    const before = this.breaker.state;
    const projectBefore = this.breaker.projectState(req.project);
    this.breaker.record(ok, provokedBy, req.project);
    const after = this.breaker.state;
    if (after !== before) this.telemetry.circuitChanged(this.service, this.origin, before, after, req.trace);
    const projectAfter = this.breaker.projectState(req.project);
    if (projectAfter !== projectBefore) this.telemetry.circuitChanged(this.service, this.origin, projectBefore, projectAfter, req.trace, req.project);
  }

  private async sendOnce(req: UpstreamRequest, route: string, absoluteUrl?: string): Promise<UpstreamResponse> {
    const remaining = req.deadline === undefined ? undefined : req.deadline - Date.now();
    if (remaining !== undefined && remaining <= 0) {
      throw markNotSent(new UpstreamError('UPSTREAM_TIMEOUT', 'The request deadline passed before this call could be made.', this.service, 0, null, null), 'local');
    }
    const target = absoluteUrl === undefined ? { origin: this.origin, path: `${this.basePath}${req.path}${queryString(req.query)}` } : splitUrl(absoluteUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (req.token) headers['x-auth-token'] = req.token;
    if (req.requestId) headers['x-openstack-request-id'] = req.requestId;
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    let leaveLane: (() => void) | undefined;
    let release: () => void;
    try {
      // The request's own share first: its surplus waits here (until its deadline), not in the shared queue.
      if (req.lane) leaveLane = req.lane.tryEnter() ?? (await req.lane.enter(req.deadline));
      release = this.bulkhead.tryEnter() ?? (await this.bulkhead.enter(req.deadline, req.queueAs));
    } catch (err) {
      leaveLane?.();
      if (!(err instanceof BulkheadRejection)) throw err;
      this.telemetry.bulkheadRefused(this.service, err.reason, this.bulkhead.inFlight, this.bulkhead.queued, req.trace);
      const label = serviceLabel(this.service);
      throw err.reason === 'full'
        ? new UpstreamError(
            'UPSTREAM_UNAVAILABLE',
            `${label} already has ${this.bulkhead.inFlight} calls in flight from this facade and ${this.bulkhead.queued} waiting; not queueing more.`,
            this.service,
            0,
            null,
            BULKHEAD_FULL,
          )
        : markNotSent(new UpstreamError('UPSTREAM_TIMEOUT', `No free connection to ${label} before the request deadline.`, this.service, 0, null, null), 'local');
    }
    try {
      if (!readsOnly(req) && req.cutoff && req.cutoff.at - Date.now() < req.cutoff.writeFloorMs) throw tooLateToWrite(this.service, req.cutoff);
      return await this.exchange(req, route, target, headers, body, absoluteUrl);
    } finally {
      release();
      leaveLane?.();
    }
  }

  private async exchange(
    req: UpstreamRequest,
    route: string,
    target: Target,
    headers: Record<string, string>,
    body: string | undefined,
    absoluteUrl: string | undefined,
  ): Promise<UpstreamResponse> {
    let res: RawResponse;
    const call = this.telemetry.start(this.service, req.method, route, target.origin, req.trace, headers);
    const started = performance.now();
    const reads = readsOnly(req);
    let sent = false;
    let answered = false;
    try {
      res = await exchangeOnce(this.agent, target, req.method, headers, body, req.cutoff ?? (req.deadline === undefined ? undefined : new Cutoff(req.deadline)), {
        onSent: () => (sent = true),
        onHeaders: () => {
          answered = true;
          this.roundTrips.record(performance.now() - started);
        },
        maxBytes: req.maxBytes,
        read: reads,
      });
    } catch (err) {
      // A read the facade cut itself (its client left, the drain ended): no one's failure, never retried.
      const cancelled = cancellationOf(err);
      if (cancelled && (!sent || reads)) {
        this.telemetry.cancelled(call, cancelled);
        throw cancelledCall(this.service, cancelled);
      }
      if (sent) {
        // A write that may have reached the upstream is not "unreachable": it may have happened.
        const failure = reads ? networkError(this.service, err, answered) : outcomeUnknown(this.service, err);
        // Cut for what every upstream was sending at once: no outcome of this upstream's, for its breaker.
        if ((err as { reading?: boolean }).reading) markNotSent(failure, 'local');
        this.telemetry.failed(call, failure);
        throw failure;
      }
      // Never written: our own deadline ended the wait for a connection, or undici refused the request itself (a
      // header it cannot send): the facade's doing, nothing for the breaker; else the upstream did not take one.
      const local =
        err instanceof Error && proxyRefusal(err) === null && (err.name === 'TimeoutError' || err.name === 'AbortError' || (err as { code?: string }).code === 'UND_ERR_INVALID_ARG');
      const failure = networkError(this.service, err);
      markNotSent(failure, local ? 'local' : 'unreached');
      this.telemetry.failed(call, failure);
      throw failure;
    }
    const { statusCode, text } = res;
    const requestId = withoutToken(requestIdOf(res.headers), req.token);
    this.telemetry.end(call, statusCode, requestId);
    req.tokenAnswered?.(statusCode);
    const write = !reads;
    // A gateway's 502 or 504 to a write it passed on, or the upstream's own 500 (Cinder writes the row, then times
    // out waiting for its scheduler): the write may have been carried out.
    if (write && writeMayHaveHappened(statusCode, text)) {
      const why = statusCode === 500 ? 'it failed with an internal error after taking the request' : 'a proxy in front of it answered after passing the request on';
      const upstreamCode = statusCode === 500 ? withoutToken(parseEnvelope(text).code, req.token) : null;
      throw outcomeUnknownAnswer(this.service, statusCode, why, requestId, upstreamCode);
    }
    if (statusCode >= 400 || (statusCode >= 300 && !absoluteUrl)) {
      const retryAfter = res.headers['retry-after'];
      throw this.errorFor(statusCode, text, requestId, req.token, typeof retryAfter === 'string' ? retryAfter : undefined, write);
    }
    // A read answered after its request's deadline serves nothing, and parsing a large body holds up every other
    // request (16 bodies of 31 MB, parsed one after the other, ran answers to 1.5x the deadline): the facade's
    // lateness, not the upstream's fault. A write's answer is always read: the write happened.
    if (!write && req.deadline !== undefined && Date.now() > req.deadline) {
      const why = `The request deadline passed before ${serviceLabel(this.service)}'s answer could be read.`;
      throw markNotSent(new UpstreamError('UPSTREAM_TIMEOUT', why, this.service, statusCode, requestId, null), 'local');
    }
    let json: unknown;
    if (text.trim().length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        if (write) throw outcomeUnknownAnswer(this.service, statusCode, 'it answered success with a body that is not JSON', requestId);
        throw new UpstreamError(
          'UPSTREAM_ERROR',
          `${serviceLabel(this.service)} answered HTTP ${statusCode} with a body that is not JSON.`,
          this.service,
          statusCode,
          requestId,
          null,
        );
      }
    }
    return { status: statusCode, headers: res.headers, json };
  }

  private errorFor(status: number, text: string, requestId: string | null, token?: string | null, retryAfter?: string, write = false): UpstreamError {
    const env = parseEnvelope(text);
    const label = serviceLabel(this.service);
    // An upstream that echoes the caller's token must not make us echo it further: out before the message is cut
    // to length (a cut could leave most of it), and a code that holds it is no code.
    const message =
      status === 414
        ? `The request was too long for ${label} (HTTP 414, URI too long): ask for fewer items or shorter filter values.`
        : env.message !== null
          ? cleanMessage(token ? env.message.split(token).join('[token]') : env.message)
          : `${label} answered HTTP ${status}${text.trim() ? ' with a body that is not a JSON error' : ' with an empty body'}.`;
    const upstreamCode = withoutToken(env.code, token);
    const anotherProject = tokenOfAnotherProject(this.service, status, message);
    if (anotherProject) return new UpstreamError('FORBIDDEN', anotherProject, this.service, status, requestId, upstreamCode);
    const code = this.classify?.(status, upstreamCode, message) ?? codeForStatus(status);
    // A server error's text may be a traceback or a proxy's page: the client gets the status, the log the text.
    const failed = status >= 500 && env.message !== null ? `${label} failed (HTTP ${status}).` : message;
    // A write refused as busy (429, the service's own 5xx: writeMayHaveHappened said no) is safe to send again.
    const shown = write && (status === 429 || status >= 500) ? `${failed.replace(/\.?$/, '.')} The change was not made; it may be sent again.` : failed;
    const err = new UpstreamError(code, shown, this.service, status, requestId, upstreamCode, retryAfter);
    if (shown !== message) err.upstreamMessage = message;
    return err;
  }
}
