import type { IncomingMessage } from 'node:http';
import { type ExecutionArgs, type FormattedExecutionResult, GraphQLError, type GraphQLFormattedError, createSourceEventStream, execute, getOperationAST } from 'graphql';
import { type DoorCaller, type IdentityAdmission, type RequestContext, type Upstreams, admitCaller, callerIdentity, createContext, doorCaller, malformedToken, newCaller, refusalCounter, upstreamAcceptance } from '../context.js';
import type { AcceptedTokens } from '../identity/acceptedTokens.js';
import type { TokenRefusals } from '../identity/tokenRefusals.js';
import type { ClientAddresses } from '../http/forwarded.js';
import { FacadeError } from '../errors.js';
import type { AboutShape } from '../graphql/about.js';
import { formatErrorWith } from '../graphql/errors.js';
import type { CallerIdentity } from '../identity/gate.js';
import type { Logger } from '../observability/logger.js';
import { withRequestIdIn } from '../observability/requestId.js';
import { RequestTrace } from '../observability/requestTrace.js';
import { type WatchedKind, readObject } from './objects.js';
import { type LiveEvent, PollerRegistry } from './poller.js';
import { eventKey, executed, refusesToken } from './resultErrors.js';
import { type DocumentRules, type Refusal, guardSubscription, parseSubscription, refusal } from './prepare.js';
import { pollSchedule } from './schedule.js';
import { SubscriptionPlaces } from './places.js';
import { PushStream } from './stream.js';
import type { Admitted, Refusal as DoorRefusal } from '../http/admission.js';
import { refusalAnswer } from '../http/pacing.js';
import { SubscriptionLog, type SubscriptionOrigin, type SubscriptionOutcome, type SubscriptionRecord } from './subscriptionLog.js';
import { registerWatch } from './watch.js';
import { TokenWatches } from './tokenWatch.js';

export interface LiveLimits {
  requestDeadlineMs: number;
  subscriptionPollMaxMs: number;
  maxSubscriptionsPerConnection: number;
  maxSubscriptions: number;
  /** MAX_SUBSCRIPTIONS_PER_CALLER: one caller (its `key`) may not hold the whole facade's share. */
  maxSubscriptionsPerCaller: number;
}

export interface LiveHubOptions {
  upstreams: Upstreams;
  about: AboutShape;
  identity: IdentityAdmission | null;
  limits: LiveLimits;
  rules: DocumentRules;
  log: Logger;
  /** Who a subscription's request comes from (TRUSTED_PROXIES); default: the connection's peer. */
  clients?: ClientAddresses;
  /** CORS_ORIGINS, for the transports' cross-site checks (src/http/crossSite.ts); default: none. */
  allowsOrigin?: (origin: string) => boolean;
  /**
   * The HTTP door (src/http/admission.ts): a subscription's start is admitted like a request, and holds its slot
   * (and its caller's) until its first result, since that start is an upstream read.
   */
  door?: { admitInTurn(caller: string, ms: number, unverified?: boolean, clientLeft?: AbortSignal, maxWaiting?: number, group?: string): Promise<Admitted | DoorRefusal>; acceptedTokens?: AcceptedTokens; tokenRefusals?: TokenRefusals };
}

/** Who subscribes: the token (never logged), and with Keystone the identity it was admitted as. */
export interface LiveCaller extends SubscriptionOrigin {
  token: string | null;
  clientAddress: string | undefined;
  admitted: CallerIdentity | undefined;
  /** Who the subscription counts against (MAX_SUBSCRIPTIONS_PER_CALLER): with Keystone its user and project, else a hash of its token. */
  key: string;
  /**
   * The pollers it may share: its own token's (a hash), so that every subscriber's reads are made with its own
   * token. Shared by user and project, a revoked token's subscriptions went on receiving what another of the
   * user's tokens read, for as long as that one was subscribed.
   */
  pollerKey: string;
  /** Which token it reads with (its hash): a poller ends the subscribers of a token an upstream refuses. */
  credential: string;
  /** Without Keystone, a token no upstream has accepted yet: its first read says whether it is real. */
  unverified: boolean;
  /** Gives back the door's slot held since admission: at the first result, a refusal or the end (idempotent). */
  started: () => void;
  /** Caller.tokenAnswered of its reads, while its start counts against its address (see doorCaller). */
  tokenAnswered?: (status: number) => void;
}

/**
 * Subscriptions for both transports (sse.ts, ws.ts): admission and limits, then one stream per subscription fed
 * by a shared poller (poller.ts) and executed against the subscriber's own selection for every change.
 */
export class LiveHub {
  readonly pollers: PollerRegistry;
  private readonly streams = new Set<PushStream<FormattedExecutionResult>>();
  private readonly tokenWatches = new TokenWatches();
  private readonly places: SubscriptionPlaces;
  private readonly format: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  private closing = false;
  private idle: (() => void) | null = null;
  private readonly lines: SubscriptionLog;

  /** Whether a page on `origin` may subscribe (CORS_ORIGINS), for the transports' cross-site checks. */
  readonly allowsOrigin: (origin: string) => boolean;

  constructor(private readonly opts: LiveHubOptions) {
    this.allowsOrigin = opts.allowsOrigin ?? (() => false);
    this.pollers = new PollerRegistry(pollSchedule(opts.limits.subscriptionPollMaxMs));
    this.places = new SubscriptionPlaces(opts.limits.requestDeadlineMs);
    this.format = formatErrorWith(opts.log);
    this.lines = new SubscriptionLog(opts.log);
  }

  /** Subscriptions open now, over both transports. */
  get subscriptions(): number {
    return this.streams.size;
  }

  get draining(): boolean {
    return this.closing;
  }

  /** The client's address a subscription's HTTP request (or WebSocket upgrade) comes from: see ClientAddresses. */
  clientAddressOf(req: IncomingMessage): string | undefined {
    return this.opts.clients ? this.opts.clients.of(req) : req.socket.remoteAddress;
  }

  /** MAX_SUBSCRIPTIONS_PER_CONNECTION: subscribes one WebSocket may have under way (ws.ts refuses more at once). */
  get maxPerConnection(): number {
    return this.opts.limits.maxSubscriptionsPerConnection;
  }

  /** A subscribe its transport refused before the hub saw it (a body it could not read, a full WebSocket): its log line. */
  refusedByTransport(origin: SubscriptionOrigin, code: string, status: number, operationName?: unknown): void {
    this.lines.refused(origin, operationName, [code], status);
  }

  /**
   * The token through the same gate as a query's (Keystone when configured); a refusal throws its GraphQLError.
   * `origin`: the subscription's request id, transport and client address (for its log line and per-client rules).
   * `left`: aborted when its client leaves (or withdraws the subscribe): refused then as CLIENT_CLOSED, its slot back.
   */
  async admit(token: string | null, origin: SubscriptionOrigin, operationName?: unknown, left?: AbortSignal): Promise<LiveCaller> {
    const badToken = malformedToken(token);
    if (badToken) {
      this.lines.refused(origin, operationName, ['UNAUTHENTICATED'], 401);
      throw new GraphQLError(badToken, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
    }
    const clientAddress = origin.client;
    const accepted = this.opts.door?.acceptedTokens;
    const door = doorCaller(this.opts.identity, token, clientAddress, accepted);
    const started = await this.enter(door, origin, operationName, left);
    const refused = refusalCounter(door, this.opts.door?.tokenRefusals);
    let admitted: CallerIdentity | undefined;
    try {
      const caller = newCaller(token, this.opts.limits.requestDeadlineMs, clientAddress, undefined, door.tokenHash);
      caller.tokenRefused = refused;
      admitted = await admitCaller(this.opts.identity, token, caller);
    } catch (err) {
      // The gate's refusals are GraphQLErrors with their code and status; anything else is our bug, not the caller's.
      started();
      if (err instanceof GraphQLError) {
        const http = err.extensions?.http as { status?: number } | undefined;
        this.lines.refused(origin, operationName, [String(err.extensions?.code ?? 'UNAUTHENTICATED')], http?.status ?? 401);
        throw err;
      }
      this.opts.log.error({ err }, 'subscription admission failed');
      throw new GraphQLError('Internal error in the facade.', { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 500 } } });
    }
    if (left?.aborted) this.leftAtTheDoor(started, origin, operationName);
    const identity = admitted?.identity;
    // Keystone has accepted its token: the start is the token's, no longer its address's.
    if (door.onceAccepted && identity) started.countAs(door.onceAccepted);
    if (identity?.project && !door.group) started.inGroup(`project:${identity.project.id}`);
    const key = identity ? `keystone:${identity.user.id}:${identity.project?.id ?? '-'}` : token ? callerIdentity(token, undefined) : 'anonymous';
    const tokenAnswered = accepted && upstreamAcceptance(door, accepted, started.countAs, refused);
    const unverified = door.by === 'upstream';
    const pollerKey = token ? callerIdentity(token, undefined, door.tokenHash) : 'anonymous';
    return { ...origin, token, clientAddress, admitted, key, pollerKey, credential: door.tokenHash ?? 'none', unverified, started, tokenAnswered };
  }

  /**
   * Through the door as a request: the release of its slot, held until the subscription's first result and never
   * past the request deadline (a start graphql-ws never runs must not keep it); or the door's refusal, thrown.
   * Past its caller's limit it waits its turn (up to the deadline). Without it, one caller churning subscriptions
   * on new ids (an upstream read each) filled the upstream queues while the door shed every other caller's queries.
   */
  private async enter(caller: DoorCaller, origin: SubscriptionOrigin, operationName: unknown, left?: AbortSignal): Promise<Admitted> {
    const door = this.opts.door;
    if (!door) return NOT_COUNTED;
    // A client that leaves while its start waits for its caller's slot is taken out of the queue at once; past
    // MAX_SUBSCRIPTIONS_PER_CALLER starts waiting, the next is refused at once.
    const { requestDeadlineMs, maxSubscriptionsPerCaller } = this.opts.limits;
    const slot = await door.admitInTurn(caller.key, requestDeadlineMs, caller.onceAccepted !== null, left, maxSubscriptionsPerCaller, caller.group);
    if (left?.aborted) this.leftAtTheDoor(typeof slot === 'function' ? slot : NOT_COUNTED, origin, operationName);
    if (typeof slot !== 'function') {
      const [status, code] = refusalAnswer(slot);
      this.lines.refused(origin, operationName, [code], status);
      throw new GraphQLError(slot.message, { extensions: { code, http: { status } } });
    }
    const cap = setTimeout(slot, this.opts.limits.requestDeadlineMs);
    cap.unref();
    const release = () => {
      clearTimeout(cap);
      slot();
    };
    return Object.assign(release, { countAs: slot.countAs, inGroup: slot.inGroup });
  }

  /** A subscribe whose client left before it was admitted: its slot back, its line (499, as requests log it), thrown. */
  private leftAtTheDoor(slot: () => void, origin: SubscriptionOrigin, operationName: unknown): never {
    slot();
    this.lines.refused(origin, operationName, ['CLIENT_CLOSED'], 499);
    throw new GraphQLError('The client closed the request.', { extensions: { code: 'CLIENT_CLOSED', http: { status: 499 } } });
  }

  /** Everything a query is checked for, then the limits: the arguments of subscribe(), or why not (logged). */
  prepare(params: Record<string, unknown>, caller: LiveCaller): ExecutionArgs | Refusal {
    const prepared = this.checkedOrFailed(params, caller);
    if ('errors' in prepared) {
      caller.started();
      const codes = prepared.errors.map((e) => String(e.extensions?.code ?? 'BAD_REQUEST'));
      this.lines.refused(caller, params.operationName, codes, prepared.status);
    }
    return prepared;
  }

  /** A bug in the checks is the facade's 500, and the subscribe's slot is still given back (prepare), never held to the deadline. */
  private checkedOrFailed(params: Record<string, unknown>, caller: LiveCaller): ExecutionArgs | Refusal {
    try {
      return this.check(params, caller);
    } catch (err) {
      this.opts.log.error({ err, requestId: caller.requestId }, 'subscription check failed');
      return refusal('INTERNAL_SERVER_ERROR', 'Internal error in the facade.', 500);
    }
  }

  private check(params: Record<string, unknown>, caller: LiveCaller): ExecutionArgs | Refusal {
    const { limits, rules } = this.opts;
    if (this.closing) return refusal('SHUTTING_DOWN', 'The server is shutting down; subscribe again on another instance.', 503);
    const parsed = parseSubscription(params, rules);
    if ('errors' in parsed) return parsed;
    if (this.places.taken >= limits.maxSubscriptions) {
      return refusal('TOO_MANY_SUBSCRIPTIONS', `The facade holds its limit of ${limits.maxSubscriptions} subscriptions (MAX_SUBSCRIPTIONS); retry later.`, 503);
    }
    if (this.places.takenBy(caller.key) >= limits.maxSubscriptionsPerCaller) {
      return refusal(
        'TOO_MANY_SUBSCRIPTIONS',
        `You already hold ${limits.maxSubscriptionsPerCaller} subscriptions (MAX_SUBSCRIPTIONS_PER_CALLER); complete one first.`,
        429,
      );
    }
    const contextValue = this.contextFor(caller);
    const refused = guardSubscription(parsed, rules, contextValue);
    if (refused) return refused;
    const reader = { read: (kind: WatchedKind, id: string) => this.read(caller, kind, id), credential: caller.credential };
    registerWatch(contextValue, (kind, id) => this.pollers.join(caller.pollerKey, kind, id, reader));
    this.places.take(contextValue, caller.key);
    return { schema: rules.schema, document: parsed.document, operationName: parsed.operationName, variableValues: parsed.variables, contextValue };
  }

  /** The subscription's stream of results; or one result when its arguments were refused (a bad id). */
  async subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<FormattedExecutionResult> | FormattedExecutionResult> {
    const started = args.contextValue as RequestContext;
    const place = this.places.claim(started);
    const caller = callerOf.get(started);
    const source = await this.sourceOf(args, caller).finally(() => started.dispose());
    if (!(Symbol.asyncIterator in source)) {
      place();
      caller?.started();
      const errors = (source.errors ?? []).map((e) => this.formatError(e));
      if (!caller) return { errors };
      this.lines.refused(caller, getOperationAST(args.document, args.operationName)?.name?.value, errors.map((e) => String(e.extensions?.code)));
      return { errors: withRequestIdIn(errors, caller.requestId) };
    }
    const events = source as AsyncIterableIterator<LiveEvent>;
    let stopWatch = () => {};
    const record = caller ? this.lines.opened(caller, getOperationAST(args.document, args.operationName)?.name?.value) : null;
    const out: PushStream<FormattedExecutionResult> = new PushStream(() => {
      caller?.started();
      place();
      record?.ended(this.closing);
      stopWatch();
      void events.return?.();
      this.streams.delete(out);
      if (this.streams.size === 0) this.idle?.();
    });
    this.streams.add(out);
    stopWatch = this.tokenWatches.watch(caller?.admitted, caller?.pollerKey ?? '', () => this.readmit(caller!), ({ message, code, outcome }) => {
      if (out.done) return;
      emit(out, record, { errors: [{ message, extensions: { code } }] }, caller?.requestId);
      record?.endsAs(outcome);
      out.end();
    });
    void this.pump(events, out, args, caller, record);
    return out;
  }

  /** The subscription's token through the gate again: its cached answer while trusted, else Keystone's. */
  private readmit(caller: LiveCaller): Promise<unknown> {
    const again = newCaller(caller.token, this.opts.limits.requestDeadlineMs, caller.clientAddress);
    return admitCaller(this.opts.identity, caller.token, again);
  }

  /** graphql's source stream, or why not; a throw of graphql's (a document the checks let through) is our 500, logged. */
  private async sourceOf(args: ExecutionArgs, caller: LiveCaller | undefined): Promise<Awaited<ReturnType<typeof createSourceEventStream>>> {
    try {
      return await createSourceEventStream(args);
    } catch (err) {
      this.opts.log.error({ err, requestId: caller?.requestId }, 'subscription failed to start');
      return { errors: [new GraphQLError('Internal error in the facade.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
    }
  }

  /**
   * SIGTERM: refuse new subscriptions, stop every poller; each subscription is cut after what it was sent (no
   * `complete`: its client subscribes again). One still executing an event when `graceMs` ends is cut without it.
   */
  async drain(graceMs: number): Promise<void> {
    this.closing = true;
    this.pollers.stopAll();
    if (this.streams.size === 0) return;
    const idle = new Promise<void>((resolve) => (this.idle = resolve));
    const grace = setTimeout(() => {
      for (const stream of [...this.streams]) stream.cut();
    }, graceMs);
    await idle;
    clearTimeout(grace);
  }

  /** A refusal's errors as a client sees them (the facade's codes; never a stack trace). */
  formatError(error: GraphQLError): GraphQLFormattedError {
    if (error.originalError instanceof FacadeError) return this.format(error.toJSON(), error.originalError);
    const { code, cost } = error.extensions as { code?: unknown; cost?: unknown };
    return { message: error.message, extensions: { code: typeof code === 'string' ? code : 'BAD_REQUEST', ...(cost ? { cost } : {}) } };
  }

  /** Each read becomes the subscriber's own result; only a result that differs from the last one is sent. */
  private async pump(
    events: AsyncIterator<LiveEvent>,
    out: PushStream<FormattedExecutionResult>,
    args: ExecutionArgs,
    caller: LiveCaller | undefined,
    record: SubscriptionRecord | null,
  ): Promise<void> {
    let last: string | null = null;
    let outcome: SubscriptionOutcome = 'completed';
    try {
      for (;;) {
        const next = await events.next();
        if (next.done || out.done) break;
        const result = 'error' in next.value ? { errors: [this.format({ message: String(next.value.error) }, next.value.error)] } : await this.run(args, caller, next.value.object);
        const key = eventKey(result);
        if (key !== last) emit(out, record, result, caller?.requestId);
        last = key;
        // A link that failed (null with an error) is executed again at the next poll, changed object or not.
        executed(events, Boolean(result.errors?.length));
        caller?.started();
        // Refused once, the token will be again: the subscription ends, as an expired token's does.
        if (refusesToken(result)) {
          outcome = 'token_refused';
          break;
        }
      }
    } catch (err) {
      this.opts.log.error({ err }, 'subscription failed');
      emit(out, record, { errors: [{ message: 'Internal error in the facade.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }, caller?.requestId);
      outcome = 'error';
    }
    // Ended here, not by a client that left (whose return() ended the stream already).
    if (!out.done) record?.endsAs(outcome);
    // A source the drain stopped: cut, not completed, so that its client subscribes again (on another instance).
    if (outcome === 'completed' && this.closing) out.cut();
    else out.end();
  }

  /** The subscriber's selection over the object read (null: deleted), with a fresh context for its links. */
  private async run(args: ExecutionArgs, caller: LiveCaller | undefined, object: object | null): Promise<FormattedExecutionResult> {
    const contextValue = caller ? this.contextFor(caller) : (args.contextValue as RequestContext);
    try {
      const result = await execute({ ...args, rootValue: object, contextValue });
      if (!result.errors?.length) return { data: result.data };
      return { data: result.data, errors: result.errors.map((e) => this.format(e.toJSON(), e)) };
    } finally {
      contextValue.dispose();
    }
  }

  private async read(caller: LiveCaller, kind: Parameters<typeof readObject>[1], id: string): Promise<object | null> {
    const context = this.contextFor(caller);
    try {
      return await readObject(context, kind, id);
    } finally {
      context.dispose();
    }
  }

  private contextFor(caller: LiveCaller): RequestContext {
    const { upstreams, about, limits } = this.opts;
    const context = createContext(upstreams, about, caller.token, limits.requestDeadlineMs, caller.clientAddress, caller.admitted);
    context.caller.tokenAnswered = caller.tokenAnswered;
    // Its upstream calls' log lines name the subscription they read for, beside the read's own id sent upstream.
    context.caller.trace = new RequestTrace(caller.requestId, context.caller.requestId, null);
    callerOf.set(context, caller);
    return context;
  }
}

const callerOf = new WeakMap<RequestContext, LiveCaller>();

const NOT_COUNTED: Admitted = Object.assign(() => {}, { countAs: () => {}, inGroup: () => {} });

/** A result to the subscriber, counted for its log line; its errors carry the subscription's request id. */
function emit(out: PushStream<FormattedExecutionResult>, record: SubscriptionRecord | null, result: FormattedExecutionResult, requestId: string | undefined): void {
  record?.sent(result);
  out.push(result.errors?.length && requestId ? { ...result, errors: withRequestIdIn(result.errors, requestId) } : result);
}
