import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FormattedExecutionResult, GraphQLError } from 'graphql';
import { type Response as SseResponse, createHandler } from 'graphql-sse';
import { tokenOf } from '../context.js';
import { type BodyReader, BodyRefused } from '../http/body.js';
import { askForBody } from '../http/continue.js';
import { refuse } from '../http/respond.js';
import { CROSS_SITE_MESSAGE, isCrossSitePage } from '../http/crossSite.js';
import { writeOrCut } from '../http/stalled.js';
import type { Logger } from '../observability/logger.js';
import { withRequestIdIn } from '../observability/requestId.js';
import type { LiveHub } from './hub.js';
import { isRefusal } from './prepare.js';
import { refusesToken } from './resultErrors.js';
import { PushStream } from './stream.js';

/**
 * Where an Accept header sends a GraphQL request: `stream` (SSE: `text/event-stream` weighed above any JSON
 * answer), `json`, or `either` (a tie, as urql's default header is: then the document decides).
 */
export type AcceptChoice = 'stream' | 'json' | 'either';

export function acceptChoice(accept: string | undefined): AcceptChoice {
  const weights = acceptWeights(accept ?? '');
  const stream = weights.get('text/event-stream') ?? 0;
  const json = Math.max(weights.get('application/json') ?? 0, weights.get('application/graphql-response+json') ?? 0);
  if (stream === 0 || stream < json) return 'json';
  return stream > json ? 'stream' : 'either';
}

/** Media type -> its q (1 when not given) from an Accept header; parameters other than q are ignored. */
function acceptWeights(accept: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!type) continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    out.set(type, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 0);
  }
  return out;
}

function jsonAnswer(status: number, body: unknown): SseResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  // As the door's own 429 and 503: when to come back.
  if (status === 429 || status === 503) headers['retry-after'] = '1';
  return [JSON.stringify(body), { status, statusText: status === 200 ? 'OK' : 'Refused', headers }];
}

/** A subscriber that has not taken what was written within `stallMs` (BODY_TIMEOUT_MS) is cut, with a warn line. */
export interface SseOptions {
  stallMs: number;
  log: Logger;
  /** The body limit, to refuse an `Expect: 100-continue` upload by its declared size without asking for it. */
  maxBodyBytes: number;
}

/**
 * GraphQL over Server-Sent Events, one subscription per request: `event: next` per change, `event: complete` at
 * the end (not at a drain's: see relay). The body is read with the same limits as a query's; the token comes
 * from the same headers.
 */
export function sseTransport(
  hub: LiveHub,
  bodies: BodyReader,
  opts: SseOptions,
): (req: IncomingMessage, res: ServerResponse, requestId: string, preread?: string) => Promise<void> {
  /** Each prepared subscribe's request, by its context (what graphql-sse hands subscribe()). */
  const requests = new WeakMap<object, SseRequest>();
  const handler = createHandler<IncomingMessage, SseRequest>({
    onSubscribe: async (req, params) => {
      req.context.logged = true;
      let caller;
      try {
        // The HTTP request's id is the subscription's, in its log line.
        const origin = { requestId: req.context.requestId, transport: 'sse' as const, client: hub.clientAddressOf(req.raw) };
        caller = await hub.admit(tokenOf(req.raw.headers), origin, (params as { operationName?: unknown }).operationName, req.context.left.signal);
      } catch (err) {
        const e = err as GraphQLError;
        const status = (e.extensions?.http as { status?: number } | undefined)?.status ?? 401;
        return jsonAnswer(status, { errors: withRequestIdIn([hub.formatError(e)], req.context.requestId) });
      }
      const prepared = hub.prepare(params as unknown as Record<string, unknown>, caller);
      if (isRefusal(prepared)) return jsonAnswer(prepared.status, { errors: withRequestIdIn(prepared.errors.map((e) => hub.formatError(e)), caller.requestId) });
      req.context.unverified = caller.unverified;
      requests.set(prepared.contextValue as object, req.context);
      // graphql-sse types its context as a plain record; ours is the facade's RequestContext.
      return prepared as never;
    },
    subscribe: async (args) => firstResult(await hub.subscribe(args), requests.get(args.contextValue as unknown as object)) as never,
  });

  return async (req, res, requestId, preread) => {
    const context: SseRequest = { res, requestId, logged: false, unverified: false, refusal: null, left: new AbortController(), stream: null };
    // Watched from the start: a client that leaves while its subscribe waits (for its caller's slot, or the first
    // result) takes it along, instead of leaving a subscription that polls until its writes stall.
    res.once('close', () => {
      context.left.abort();
      void context.stream?.return();
    });
    const refusedHere = (code: string, status: number) =>
      hub.refusedByTransport({ requestId, transport: 'sse', client: hub.clientAddressOf(req) }, code, status);
    // Before anything runs: another site's EventSource sends no token, which in demo mode is the demo admin.
    if (isCrossSitePage(req, hub.allowsOrigin)) {
      refusedHere('FORBIDDEN', 403);
      return refuse(res, 403, 'FORBIDDEN', CROSS_SITE_MESSAGE);
    }
    // GET (as Hive Gateway subscribes): graphql-sse reads the document from the URL.
    let body: string | null = null;
    try {
      if (req.method === 'POST') body = preread ?? (askForBody(req, opts.maxBodyBytes), await bodies.read(req));
    } catch (err) {
      if (!(err instanceof BodyRefused)) throw err;
      refusedHere(err.code, err.status);
      return refuse(res, err.status, err.code, err.message, { retryAfter: err.retryAfter, close: true });
    }
    const [answer, init] = await handler({
      method: req.method ?? 'POST',
      url: req.url ?? '/graphql',
      // graphql-sse compares Accept exactly; a browser's EventSource-style header may carry more.
      headers: { get: (name) => (name === 'accept' ? 'text/event-stream' : headerOf(req, name)) },
      body,
      raw: req,
      context,
    });
    const stream = answer !== null && typeof answer !== 'string' ? answer : null;
    if (context.left.signal.aborted) return void stream?.return(undefined);
    if (context.refusal) {
      void stream?.return(undefined);
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(JSON.stringify({ errors: context.refusal.errors }));
    }
    if (init.status >= 400 && stream === null) {
      if (!context.logged) refusedHere('BAD_REQUEST', init.status);
      res.writeHead(init.status, { ...init.headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      return void res.end(refusalBody(answer as string | null, init.status, requestId));
    }
    res.writeHead(init.status, init.headers);
    if (stream === null) return void res.end((answer as string | null) ?? undefined);
    await relay(res, stream, requestId, opts, () => context.stream?.wasCut === true);
  };
}

/** The subscription's events to its client, at the pace it reads them; `cut`: ended by a drain. */
async function relay(res: ServerResponse, stream: AsyncIterableIterator<string>, requestId: string, opts: SseOptions, cut: () => boolean): Promise<void> {
  // The client went away: graphql-sse's stream returns the subscription's, which stops its poller share at once.
  res.once('close', () => void stream.return?.(undefined));
  const stalled = () => opts.log.warn({ requestId, bodyTimeoutMs: opts.stallMs }, 'subscriber stopped reading its events; connection cut');
  for await (const chunk of stream) {
    // A drain ends the stream without `complete`: graphql-sse's client takes that for a lost connection and
    // subscribes again.
    if (!res.writable || (cut() && chunk.startsWith('event: complete'))) break;
    // Backpressure: while the client takes nothing, events wait (for stallMs at most) instead of piling up.
    if (!(await writeOrCut(res, chunk, opts.stallMs, stalled))) break;
  }
  res.end();
}

/** One SSE subscribe, as graphql-sse hands it to the hooks (`req.context`). */
interface SseRequest {
  res: ServerResponse;
  requestId: string;
  /** The hub wrote the refusal's line (admission, arguments); graphql-sse's own refusals are logged here. */
  logged: boolean;
  /** Its token is not known to be real yet (see LiveCaller): the answer's head waits for the first result. */
  unverified: boolean;
  /** The first result refused the token (an upstream's 401): answered HTTP 401 instead of a stream. */
  refusal: FormattedExecutionResult | null;
  /** Aborted when the client leaves (the response closed): a subscribe waiting at the door leaves its queue then. */
  left: AbortController;
  /** The subscription's stream, once made: ended when the client leaves. */
  stream: PushStream<FormattedExecutionResult> | null;
}

/**
 * For a token not known to be real yet, the answer's head waits for the subscription's first result (its first
 * upstream read), so that a token the upstream refuses there is answered HTTP 401, as one Keystone refuses at
 * admission is (README), not 200 and a stream of one error. A known token's stream starts at once.
 */
async function firstResult<T>(result: T, request: SseRequest | undefined): Promise<T | FormattedExecutionResult> {
  if (!(result instanceof PushStream) || !request) return result;
  const stream = result as PushStream<FormattedExecutionResult>;
  request.stream = stream;
  if (request.left.signal.aborted) void stream.return();
  if (!request.unverified) return result;
  const first = await stream.next();
  if (first.done) return result;
  if (refusesToken(first.value) && first.value.data == null) {
    request.refusal = first.value;
    return first.value;
  }
  stream.unshift(first.value);
  return result;
}

/**
 * A refusal as every answer of the facade has it: errors with a code and the request id. graphql-sse's own (a
 * body it cannot read, a missing query, a content type it does not take) come with a message only, or none.
 */
function refusalBody(answer: string | null, status: number, requestId: string): string {
  let errors: { message?: unknown; extensions?: Record<string, unknown> }[] = [];
  try {
    errors = (JSON.parse(answer ?? '') as { errors?: typeof errors }).errors ?? [];
  } catch {
    // not JSON: its text (if any) is the message
  }
  if (!Array.isArray(errors) || errors.length === 0) {
    errors = [{ message: answer || (status === 415 ? 'Subscriptions over SSE take a JSON body (content-type: application/json).' : 'Bad request.') }];
  }
  return JSON.stringify({ errors: errors.map((e) => ({ message: String(e.message), extensions: { code: 'BAD_REQUEST', ...e.extensions, requestId } })) });
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}
