import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import type { Limits } from './config.js';
import { type IdentityAdmission, type RequestContext, type Upstreams, admittedContext, doorCaller, malformedToken, refusalCounter, tokenOf, upstreamAcceptance } from './context.js';
import type { AboutShape } from './graphql/about.js';
import { createGraphQLServer } from './graphql/apollo.js';
import { NESTING_MESSAGE, nestsTooDeep } from './graphql/nesting.js';
import type { CompilingExecutor } from './graphql/executor.js';
import { graphiqlAsset, graphiqlPage } from './graphiql.js';
import { type ClientWatch, watchAborts } from './http/aborts.js';
import { TOKEN_CHALLENGE, facadeResponses } from './http/challenge.js';
import { answerClientErrors, answerOddRequests, refusedWithoutHost } from './http/clientErrors.js';
import { whenConnectionCloses } from './http/connectionClose.js';
import { oweAnswer } from './http/pipelining.js';
import { ConnectionLimits, registerConnectionMetrics } from './http/connectionLimits.js';
import { askForBody, holdContinue } from './http/continue.js';
import { transportChooser } from './http/transportChoice.js';
import { requestTarget } from './http/target.js';
import { atMost } from './http/waits.js';
import { Admission, type Admitted, bulkheadsOf } from './http/admission.js';
import { registerAdmissionMetrics } from './http/admissionMetrics.js';
import { BodyReader, BodyRefused, jsonBody } from './http/body.js';
import { WaitingConnections } from './http/connections.js';
import { drainServer } from './http/drain.js';
import { ClientAddresses } from './http/forwarded.js';
import { RefusalPacing, shed } from './http/pacing.js';
import { corsPolicy } from './http/cors.js';
import { answeredProbe, type ProbeSources } from './http/probes.js';
import { refuse, sendJson } from './http/respond.js';
import { endAsset } from './http/compression.js';
import { writeAnswer } from './http/graphqlAnswer.js';
import { NOT_ACCEPTABLE_MESSAGE, acceptsJsonAnswer } from './http/acceptable.js';
import { LiveHub } from './live/hub.js';
import { documentOf } from './live/operationKind.js';
import { sseTransport } from './live/sse.js';
import { attachWebSockets } from './live/ws.js';
import { registerLiveMetrics } from './live/metrics.js';
import type { Observability } from './observability/index.js';
import type { Protection } from './observability/metrics.js';
import { type RequestIds, requestIds } from './observability/requestId.js';
import type { RequestTrace } from './observability/requestTrace.js';

export const MAX_BODY_BYTES = 256 * 1024;

/** Bodies being read may hold this much memory in all (src/http/body.ts says why): 256 bodies of the largest size. */
const BODY_BUDGET_BYTES = 256 * MAX_BODY_BYTES;

export interface FacadeServer {
  url: string;
  server: Server;
  /** GraphQL requests being answered right now (admitted: their body is in). */
  inFlight(): number;
  /** The adaptive limit on requests in progress (src/http/admission.ts, rule 3). */
  admissionLimit(): number;
  /** How operations were executed: interpreted by graphql-js, or compiled by graphql-jit once they recurred. */
  execution: CompilingExecutor['stats'];
  /** Not ready from now on (/readyz 503 `draining`), though requests are still served as before (SHUTDOWN_DELAY_MS). */
  leaving(): void;
  /**
   * Graceful stop: refuse new work (503, /readyz fails), let in-flight requests finish within `graceMs`, then
   * close. Resolves with how many requests were still running when the grace period ended (0 normally).
   */
  drain(graceMs: number): Promise<number>;
  /** Until the requests in progress have finished their work (log lines and spans written), at most `ms`. */
  settle(ms: number): Promise<void>;
  close(): Promise<void>;
  /** Subscriptions (src/live): open now, pollers running, upstream reads made so far. */
  live: { subscriptions(): number; pollers(): number; polls(): number };
}

export interface ServerOptions {
  port: number;
  host: string;
  upstreams: Upstreams;
  /** With Keystone: the gate every request's token passes before its context exists (null: no Keystone). */
  identity?: IdentityAdmission | null;
  about: AboutShape;
  limits: Limits;
  development: boolean;
  /** Runs of a document through graphql-js before graphql-jit compiles it; null: never compiled. */
  compileAfter: number | null;
  /** Logger, metrics, tracing (src/observability). */
  observability: Observability;
  /** Every circuit breaker and bulkhead, for /readyz. */
  protections: () => Protection[];
  /** WWW-Authenticate of every 401 (with Keystone: where tokens come from); default TOKEN_CHALLENGE. */
  authChallenge?: string;
}

/** Who the door admitted: the token, the client's address, how it counted the caller, and the slot it holds. */
interface AdmittedDoor {
  token: string | null;
  clientAddress: string | undefined;
  caller: ReturnType<typeof doorCaller>;
  release: Admitted;
  /** How its client is watched: a client that leaves takes the request's upstream reads with it. */
  client: ClientWatch;
}

/** Starts the HTTP server: POST/GET /graphql (GraphiQL for browsers), /healthz, /readyz, GraphiQL assets. */
export async function startServer(opts: ServerOptions): Promise<FacadeServer> {
  const { limits, observability } = opts;
  const { log } = observability;
  const { apollo, schema, execution, validationRules } = createGraphQLServer({
    limits,
    development: opts.development,
    compileAfter: opts.compileAfter,
    log,
    // Operation name and type, error codes, and the request id in every error (extensions.requestId).
    plugins: [observability.requests.plugin()],
  });
  await apollo.start();
  const gauges = bulkheadsOf(opts.upstreams);
  // With Keystone each host's bulkhead appears when a caller's endpoint on it is first used.
  // A host the process-wide client shares (app.ts) is already among them.
  opts.identity?.gate.onBulkhead((service, bulkhead) => gauges.some((g) => g.bulkhead === bulkhead) || gauges.push({ service, bulkhead }));
  const admission = new Admission(limits.maxInFlight, gauges, limits.maxInFlightPerCaller, limits.maxRefusedTokensPerClient);
  const bodies = new BodyReader({ maxBytes: MAX_BODY_BYTES, timeoutMs: limits.bodyTimeoutMs, budgetBytes: BODY_BUDGET_BYTES });
  const cors = corsPolicy(limits.corsOrigins);

  const pacing = new RefusalPacing();
  const clients = new ClientAddresses(limits.trustedProxies);
  // Subscriptions bypass Apollo: the hub runs the same document rules (armor's, cost, inputs) itself.
  const live = new LiveHub({
    upstreams: opts.upstreams,
    about: opts.about,
    identity: opts.identity ?? null,
    limits,
    log,
    rules: { schema, maxTokens: limits.maxTokens, maxNodes: limits.maxNodes, validationRules, development: opts.development },
    door: admission,
    clients,
    allowsOrigin: cors.allows,
  });
  const eventStreams = sseTransport(live, bodies, { stallMs: limits.bodyTimeoutMs, log, maxBodyBytes: MAX_BODY_BYTES });
  const transportOf = transportChooser({ identity: opts.identity ?? null, admission, bodies, clients, maxBodyBytes: MAX_BODY_BYTES, maxTokens: limits.maxTokens });
  if (observability.metrics) registerLiveMetrics(observability.metrics.registry, live);

  /** One GraphQL request, observed: its log line, metrics and span once the answer is written (or refused). */
  async function observed(req: IncomingMessage, res: ServerResponse, search: string, ids: RequestIds, client: ClientWatch, preread?: string | BodyRefused): Promise<void> {
    const trace = observability.requests.begin(req, ids);
    let failed = false;
    try {
      await graphql(req, res, search, trace, client, preread);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      observability.requests.end(trace, res, failed, admission.inFlight >= limits.maxInFlight, client.closedEarly());
    }
  }

  /** An admitted request: run through Apollo, its answer written (bounded in size, cut if the client stops reading). */
  async function answer(req: IncomingMessage, res: ServerResponse, search: string, trace: RequestTrace, raw: string | undefined, door: AdmittedDoor): Promise<void> {
    const { token, clientAddress, caller, release } = door;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    if (!acceptsJsonAnswer(req.headers.accept)) return refuse(res, 406, 'BAD_REQUEST', NOT_ACCEPTABLE_MESSAGE);
    let body: unknown = raw;
    const media = raw === undefined ? null : jsonBody(headers.get('content-type'));
    if (media === 'other-charset') return refuse(res, 415, 'BAD_REQUEST', 'The body must be UTF-8 JSON (content-type: application/json).');
    if (raw !== undefined && media === 'json') {
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        return refuse(res, 400, 'BAD_REQUEST', 'Request body is not valid JSON.');
      }
    }
    if (nestsTooDeep(documentOf(body, search))) return refuse(res, 400, 'BAD_REQUEST', NESTING_MESSAGE);
    observability.requests.noteVariables(trace, body, search);
    let context: RequestContext | undefined;
    let result: HTTPGraphQLResponse;
    try {
      result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
        context: async () => {
          // A token not known yet that Keystone or an upstream refuses counts against its address (TokenRefusals).
          const refused = refusalCounter(caller, admission.tokenRefusals);
          context = await admittedContext(opts.upstreams, opts.about, opts.identity ?? null, token, limits.requestDeadlineMs, clientAddress, trace, caller.tokenHash, refused);
          // A client that leaves before its answer takes its reads with it: they free its slot and the upstream sooner.
          const { cutoff } = context.caller;
          if (cutoff) door.client.whenGone(() => cutoff.abandon());
          // Keystone has accepted its token: the rest of the request is the token's, no longer its address's.
          if (caller.onceAccepted && context.identity) release.countAs(caller.onceAccepted);
          // And weighs in its project's load from now on (a token the door did not know the project of yet).
          if (context.caller.project && !caller.group) release.inGroup(context.caller.project);
          // Without Keystone: the token's from the first upstream answer that shows it is real.
          context.caller.tokenAnswered = upstreamAcceptance(caller, admission.acceptedTokens, release.countAs, refused);
          return context;
        },
      });
    } finally {
      // Apollo's gateway request context (makeGatewayGraphQLRequestContext) is an object literal with a `status`
      // accessor whose closure holds Apollo's request context, and so our context value. V8 keeps such literals
      // alive through scavenges until the next full collection; with them went the loaders and all they read. A
      // quarter of what a screen allocated was promoted, and garbage collection took a fifth of the facade's CPU
      // (test/unit/gc-shapes.test.ts measures it). Once the answer is written, the context lets go of its loaders
      // and of Apollo's result tree (handed over by apollo.ts's answerRelease plugin).
      trace.identity = context?.identity ?? null;
      context?.dispose();
    }
    await writeAnswer(req, res, result, trace, limits, observability);
  }

  /** Reads the body, then admits (or refuses) the request, then runs it: a slow body holds no slot. */
  async function graphql(req: IncomingMessage, res: ServerResponse, search: string, trace: RequestTrace, client: ClientWatch, preread?: string | BodyRefused): Promise<void> {
    const token = tokenOf(req.headers);
    const badToken = malformedToken(token);
    if (badToken) return refuse(res, 401, 'UNAUTHENTICATED', badToken);
    const clientAddress = clients.of(req);
    trace.clientAddress = clientAddress ?? null;
    const caller = doorCaller(opts.identity ?? null, token, clientAddress, admission.acceptedTokens);
    // Refused now if it would be refused with its body in (Node discards the unread body): the cheapest 503.
    const unverified = caller.onceAccepted !== null;
    const early = admission.check(caller.key, unverified, caller.group);
    if (early) return shed(res, early, pacing);
    let raw: string | undefined;
    if (req.method === 'POST') {
      try {
        // Read already (a request routed by its document): its text, or why it was refused.
        if (preread instanceof BodyRefused) throw preread;
        raw = preread ?? (askForBody(req, MAX_BODY_BYTES), await bodies.read(req));
      } catch (err) {
        if (!(err instanceof BodyRefused)) throw err;
        return refuse(res, err.status, err.code, err.message, { retryAfter: err.retryAfter, close: true });
      }
    }
    const release = admission.admit(caller.key, unverified, caller.group);
    if (typeof release !== 'function') return shed(res, release, pacing);
    pacing.admitted(res.socket);
    // Counted until the response is flushed (not merely handed to the socket: a drain must not cut an answer still
    // being written) and the request's work is over: a client that goes away does not take its upstream calls off
    // the books while they run.
    let holds = 2;
    const letGo = () => {
      if (--holds > 0) return;
      release();
      if (admission.draining) server.closeIdleConnections();
    };
    // A pipelined answer still queued behind another never gets its connection, nor a 'close' of its own, when
    // the connection goes: the connection's close ends its hold then.
    let closed = false;
    const onClosed = () => {
      if (closed) return;
      closed = true;
      forget();
      letGo();
    };
    const forget = whenConnectionCloses(req.socket, onClosed);
    res.once('close', onClosed);
    try {
      await answer(req, res, search, trace, raw, { token, clientAddress, caller, release, client });
    } finally {
      letGo();
    }
  }

  // After SIGTERM, within SHUTDOWN_DELAY_MS: not ready, still serving.
  let leaving = false;
  // Node enforces headersTimeout when it checks its connections: each second, not every 30 s, so that a client
  // that sends part of its headers and stops is cut 15 s after it started, not up to 45.
  const probes: ProbeSources = {
    draining: () => admission.draining || leaving,
    inFlight: () => admission.inFlight,
    protections: () => opts.protections(),
    about: opts.about,
    scrape: observability.config.metrics.port === null ? () => observability.scrape() : null,
  };
  const ServerResponse = facadeResponses(opts.authChallenge ?? TOKEN_CHALLENGE, () => admission.draining);
  const server = createServer({ connectionsCheckingInterval: 1_000, requireHostHeader: false, ServerResponse }, (req, res) => {
    if (!oweAnswer(req, res, log)) return;
    // Every answer carries the request id, refusals and errors included (the client's X-Request-Id when safe).
    const ids = requestIds(req.headers['x-request-id']);
    res.setHeader('x-request-id', ids.id);
    if (refusedWithoutHost(req, res)) return;
    const url = requestTarget(req.url);
    if (!url) return refuse(res, 400, 'BAD_REQUEST', 'The request target is not a URL path. The GraphQL endpoint is /graphql.');
    const client = watchAborts(req, res, log, ids.id, () => admission.cutting);
    const route = async () => {
      if (await answeredProbe(req, res, url.pathname, probes)) return;
      const readOnly = req.method === 'GET' || req.method === 'HEAD';
      if (url.pathname.startsWith('/graphiql/') && readOnly) {
        const asset = graphiqlAsset(url.pathname.slice('/graphiql/'.length));
        if (!asset) return refuse(res, 404, 'BAD_REQUEST', 'Not found.');
        res.setHeader('content-type', asset.type);
        res.setHeader('cache-control', 'public, max-age=3600');
        return endAsset(req, res, asset.body, limits.compressResponses);
      }
      if (url.pathname === '/graphql' || url.pathname === '/') {
        const wantsHtml = readOnly && (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
        if (wantsHtml) {
          // An explorer holding a token: shown in its own window only, never framed by another page.
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" });
          return void res.end(graphiqlPage('/graphql'));
        }
        if (url.pathname === '/graphql') {
          if (req.method === 'OPTIONS') return cors.preflight(req, res);
          if (req.method !== 'GET' && req.method !== 'POST') {
            res.setHeader('allow', 'GET, POST, OPTIONS');
            return refuse(res, 405, 'BAD_REQUEST', `${req.method} is not served here: send GraphQL as POST /graphql (or GET for queries).`);
          }
          cors.decorate(req, res);
          const transport = await transportOf(req, url);
          // A subscription's stream lives as long as the subscription: it holds no request slot.
          if (transport.stream) {
            // Ended by a drain: its keep-alive connection must not hold the shutdown until the grace ends.
            res.once('close', () => live.draining && server.closeIdleConnections());
            client.endedByClient();
            return await eventStreams(req, res, ids.id, transport.raw);
          }
          return await observed(req, res, url.search, ids, client, transport.raw);
        }
      }
      return refuse(res, 404, 'BAD_REQUEST', 'Not found. The GraphQL endpoint is /graphql.');
    };
    route().catch((err: unknown) => {
      // A client that went away is logged once, by watchAborts; whatever that broke is not a second story.
      if (client.gone()) return void res.destroy();
      log.error({ err, requestId: ids.id, method: req.method, path: url.pathname }, 'request failed');
      if (!res.headersSent) refuse(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal error in the facade.');
      else res.destroy();
    });
  });
  // Expect: 100-continue: the 100 goes out when the body is about to be read (src/http/continue.ts).
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // Node takes any list naming 100-continue (`100-continue, foo`): an expectation besides it is not met here.
    if (req.headers.expect?.trim().toLowerCase() !== '100-continue') return void server.emit('checkExpectation', req, res);
    holdContinue(req, res);
    server.emit('request', req, res);
  });
  server.headersTimeout = 15_000;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  answerClientErrors(server, log);
  answerOddRequests(server);
  const connections = new WaitingConnections(server, server.headersTimeout);
  const connectionLimits = new ConnectionLimits(server, limits.maxConnections, limits.maxConnectionsPerClient, log);
  if (observability.metrics) {
    registerConnectionMetrics(observability.metrics.registry, connectionLimits);
    registerAdmissionMetrics(observability.metrics.registry, admission);
  }
  // Node's own cut for a whole request; BODY_TIMEOUT_MS answers slow bodies first, with a 408 that says why.
  server.requestTimeout = Math.max(60_000, server.headersTimeout + limits.bodyTimeoutMs + 5_000);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const sockets = attachWebSockets(server, live, MAX_BODY_BYTES, log);
  const endSubscriptions = (graceMs: number) => live.drain(graceMs).then(() => sockets.close());
  const addr = server.address() as AddressInfo;
  const shown = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  // An IPv6 literal takes brackets in a URL (`http://[::1]:4000`).
  const host = shown.includes(':') ? `[${shown}]` : shown;
  const close = async () => {
    await endSubscriptions(1_000);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    connections.closeWaiting();
    await closed;
    await apollo.stop();
  };
  return {
    url: `http://${host}:${addr.port}`,
    server,
    inFlight: () => admission.inFlight,
    admissionLimit: () => admission.limit,
    execution: execution.stats,
    live: { subscriptions: () => live.subscriptions, pollers: () => live.pollers.size, polls: () => live.pollers.counters.polls },
    leaving: () => {
      leaving = true;
    },
    drain: async (graceMs) => {
      // Subscriptions end without `complete` (sockets closed with 1001), so clients resubscribe, while requests finish.
      const [left] = await Promise.all([drainServer(server, connections, admission, bodies, graceMs), endSubscriptions(graceMs)]);
      await apollo.stop();
      return left;
    },
    // The process must not end while a cut request still has its line to write (atMost's timer keeps it up).
    settle: (ms) => atMost(admission.whenIdle(), ms),
    close,
  };
}
