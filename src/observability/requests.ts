import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST } from 'graphql';
import type { RequestContext } from '../context.js';
import type { Identity } from '../identity/keystone.js';
import { type DoorAnswer, doorAnswerOf } from '../http/respond.js';
import { type Logger, redactSecrets } from './logger.js';
import type { FacadeMetrics } from './metrics.js';
import { type RequestIds, withRequestIdIn } from './requestId.js';
import { RequestTrace, addTraceContext } from './requestTrace.js';
import type { Tracing } from './tracing.js';

/** Why the door refused a GraphQL request (the `reason` label of graphql_requests_refused_total). */
export type RefusalReason = 'in_flight_cap' | 'caller_cap' | 'refused_tokens' | 'upstream_saturated' | 'shutting_down' | 'body_too_large' | 'body_timeout' | 'body_budget' | 'bad_json' | 'unsupported_media_type' | 'not_acceptable';

/** Why the door answered a GraphQL request itself; null for a 500 of its own (not a refusal). */
function refusalReason(door: DoorAnswer, atCap: boolean): RefusalReason | null {
  switch (door.code) {
    case 'SHUTTING_DOWN':
      return 'shutting_down';
    case 'REQUEST_TIMEOUT':
      return 'body_timeout';
    case 'BAD_REQUEST':
      // 415: a body the facade does not read (compressed, or not UTF-8), not one that failed to parse; 406: an answer the client does not take.
      if (door.status === 406) return 'not_acceptable';
      return door.status === 413 ? 'body_too_large' : door.status === 415 ? 'unsupported_media_type' : 'bad_json';
    case 'TOO_MANY_REQUESTS':
      return 'caller_cap';
    case 'TOO_MANY_REFUSED_TOKENS':
      return 'refused_tokens';
    case 'OVERLOADED':
      // The body budget's refusal closes the connection (its body was not read); admission's does not.
      return door.close ? 'body_budget' : atCap ? 'in_flight_cap' : 'upstream_saturated';
    default:
      return null;
  }
}

/** The Keystone user and project a log line names (requests and subscriptions alike); nothing without Keystone. */
export function addIdentity(line: Record<string, unknown>, identity: Identity | null | undefined): void {
  if (!identity) return;
  line.user = identity.user.name;
  line.userId = identity.user.id;
  line.project = identity.project?.name;
  line.projectId = identity.project?.id;
}

const MAX_NAME_LENGTH = 128;

/** An operation name for a log line, a span's name and a label: GraphQL bounds a name's length only by the body's. */
export function boundedName(name: string | null | undefined): string | null {
  if (!name) return null;
  return name.length > MAX_NAME_LENGTH ? `${name.slice(0, MAX_NAME_LENGTH)}…` : name;
}

const NOT_AN_OBJECT = '[not a JSON object: not logged]';

/** A GET request's `variables` parameter, parsed; a string that is not JSON is returned as it is (and not logged). */
function variablesOfSearch(search: string): unknown {
  const text = search ? new URLSearchParams(search).get('variables') : null;
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The fields of a request's log line, in their order; optional ones only when they say something. */
function requestLine(trace: RequestTrace, type: string, status: number, outcome: string, seconds: number): Record<string, unknown> {
  // Filled field by field rather than spread from conditional literals: one object per line instead of five.
  const line: Record<string, unknown> = {
    requestId: trace.requestId,
    upstreamRequestId: trace.upstreamRequestId,
    client: trace.clientAddress ?? undefined,
    operationName: trace.operationName ?? undefined,
    operationType: type,
    status,
    outcome,
    durationMs: Math.round(seconds * 10_000) / 10,
    upstreamCalls: trace.calls,
    roundTrips: trace.roundTrips,
  };
  if (trace.errorCodes.length) line.errorCodes = trace.errorCodes;
  if (trace.refusal) line.refusal = trace.refusal;
  addIdentity(line, trace.identity);
  addTraceContext(line, trace);
  if (trace.variables !== undefined) line.variables = redactSecrets(trace.variables);
  return line;
}

/**
 * The server's one observer of GraphQL requests: `begin` when one arrives, `end` once its answer is written, which
 * writes its log line, its metrics and ends its span. In between, the Apollo plugin below notes the operation and
 * the answer's error codes, and puts the request id in every error (`extensions.requestId`).
 */
export class RequestObserver {
  constructor(
    private readonly log: Logger,
    private readonly metrics: FacadeMetrics | null,
    private readonly tracing: Tracing | null,
    private readonly logVariables: boolean,
  ) {}

  begin(req: IncomingMessage, ids: RequestIds): RequestTrace {
    const span = this.tracing?.startRequest(req.headers, { 'http.request.method': req.method ?? 'GET', 'groupgraph.request_id': ids.id }) ?? null;
    return new RequestTrace(ids.id, ids.upstream, span);
  }

  /**
   * The request's variables (from its JSON body, or a GET's query string), kept for its line only with
   * LOG_VARIABLES=true; anything but an object (a JSON-encoded string, say) is named, never written as it came.
   */
  noteVariables(trace: RequestTrace, body: unknown, search: string): void {
    if (!this.logVariables) return;
    const variables = body && typeof body === 'object' ? (body as { variables?: unknown }).variables : variablesOfSearch(search);
    if (variables === undefined || variables === null) return;
    trace.variables = typeof variables === 'object' && !Array.isArray(variables) ? variables : NOT_AN_OBJECT;
  }

  /**
   * The answer is written (or the request failed, `failed`). `atCap`: MAX_IN_FLIGHT requests are in progress,
   * which tells an in-flight-cap refusal from a saturated upstream's. `closedEarly`: the connection closed before
   * the answer was complete, by the client or by the facade at the end of a drain (watchAborts).
   */
  end(trace: RequestTrace, res: ServerResponse, failed: boolean, atCap: boolean, closedEarly: 'client' | 'shutdown' | null): void {
    // A client that went away gets no answer: 499 as nginx logs it, outcome `aborted` (watchAborts warns once). One
    // the facade cut at shutdown got none either: 503, an error of the facade's.
    const aborted = closedEarly === 'client';
    const status = closedEarly === 'shutdown' ? 503 : aborted ? 499 : failed ? 500 : res.statusCode;
    if (closedEarly === 'shutdown') trace.errorCodes = ['SHUTTING_DOWN'];
    const door = doorAnswerOf(res);
    if (door) {
      trace.refusal = refusalReason(door, atCap);
      trace.errorCodes = [door.code];
      if (trace.refusal) this.metrics?.refusals.inc({ reason: trace.refusal });
    }
    const seconds = (performance.now() - trace.started) / 1000;
    const outcome = aborted
      ? 'aborted'
      : trace.refusal
        ? 'refused'
        : status >= 500
          ? 'error'
          : status >= 400
            ? 'client_error'
            : trace.errorCodes.length > 0
              ? 'partial'
              : 'ok';
    const type = trace.operationType ?? 'unknown';
    // Names of anonymous callers' documents (`query X { __typename }` costs nothing) must not use up the places.
    const claims = trace.operationValid && (trace.identity !== null || trace.upstreamAnswered);
    this.metrics?.request(type, trace.operationName, outcome, seconds, trace.calls, trace.roundTrips, claims);
    const level = status >= 500 && !trace.refusal ? 'error' : 'info';
    if (this.log.isLevelEnabled(level)) this.log[level](requestLine(trace, type, status, outcome, seconds), 'graphql request');
    const span = trace.span;
    if (span) {
      span.setAttribute('http.response.status_code', status);
      span.setAttribute('graphql.upstream_calls', trace.calls);
      if (trace.errorCodes.length) span.setAttribute('graphql.error_codes', trace.errorCodes);
      if (status >= 500 || trace.errorCodes.length) this.tracing!.fail(span, trace.errorCodes[0] ?? String(status));
      else span.end();
    }
  }

  /**
   * For answers the plugin never saw (Apollo refused the request before its plugins ran: a bad body, CSRF, the
   * identity gate's 401): the error codes, and the request id put into each error. Such answers are small.
   */
  withRequestId(trace: RequestTrace, body: string): string {
    let parsed: { errors?: { extensions?: Record<string, unknown> }[] };
    try {
      parsed = JSON.parse(body);
    } catch {
      return body;
    }
    if (!Array.isArray(parsed.errors)) return body;
    trace.errorCodes = parsed.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
    parsed.errors = withRequestIdIn(parsed.errors, trace.requestId);
    return JSON.stringify(parsed);
  }

  /** Notes the operation (and names the span after it) and the errors of the answer, with the request id in each. */
  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      async requestDidStart() {
        return {
          // A document validation refuses never reaches didResolveOperation: its line still names its operation.
          async validationDidStart(rc) {
            const trace = rc.contextValue.caller.trace;
            if (!trace) return;
            const operation = getOperationAST(rc.document, rc.request.operationName);
            trace.operationName = boundedName(operation?.name?.value);
            trace.operationType = operation?.operation ?? null;
          },
          async didResolveOperation(rc) {
            const trace = rc.contextValue.caller.trace;
            if (!trace) return;
            trace.operationName = boundedName(rc.operationName);
            trace.operationType = rc.operation?.operation ?? null;
            trace.operationValid = true;
            if (trace.span) {
              trace.span.updateName(`${trace.operationType ?? 'graphql'}${trace.operationName ? ` ${trace.operationName}` : ''}`);
              trace.span.setAttribute('graphql.operation.type', trace.operationType ?? 'unknown');
              if (trace.operationName) trace.span.setAttribute('graphql.operation.name', trace.operationName);
            }
          },
          async willSendResponse(rc) {
            const trace = rc.contextValue.caller.trace;
            if (!trace) return;
            trace.answered = true;
            if (rc.response.body.kind !== 'single') return;
            const result = rc.response.body.singleResult;
            if (!result.errors?.length) return;
            trace.errorCodes = result.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
            result.errors = withRequestIdIn(result.errors, trace.requestId);
          },
        };
      },
    };
  }
}
