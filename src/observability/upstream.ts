import type { UpstreamError } from '../errors.js';
import type { Cancellation } from '../upstreams/failureKinds.js';
import type { CircuitState } from '../upstreams/resilience.js';
import type { Logger } from './logger.js';
import type { FacadeMetrics } from './metrics.js';
import { type RequestTrace, addTraceContext } from './requestTrace.js';
import type { Span, Tracing } from './tracing.js';

/** One upstream HTTP exchange being observed: started by `UpstreamTelemetry.start`, finished by `end` or `failed`. */
export class UpstreamCall {
  readonly started = performance.now();

  constructor(
    readonly service: string,
    readonly method: string,
    readonly route: string,
    readonly trace: RequestTrace | undefined,
    readonly span: Span | null,
    /** Sent with the caller's token (a version document is read without one). */
    readonly withToken: boolean,
  ) {}
}

/** Who a line about a request's upstream call belongs to: its request id, and its trace while tracing is on. */
function ofRequest(trace: RequestTrace | undefined, fields: Record<string, unknown>): Record<string, unknown> {
  const line: Record<string, unknown> = { requestId: trace?.requestId, ...fields };
  addTraceContext(line, trace);
  return line;
}

/**
 * The HTTP client's one observer (src/upstreams/http.ts calls it): each exchange's metrics and span, the
 * request's call and round-trip counts, and a log line per failure, retry, circuit change and bulkhead refusal,
 * each with the facade's request id and the upstream's own (x-openstack-request-id, x-compute-request-id,
 * x-request-id). Without a logger, metrics or tracing it does nothing but count the request's calls.
 */
export class UpstreamTelemetry {
  /** `server.address` and `server.port` per origin, parsed once. */
  private readonly servers = new Map<string, { address: string; port: number }>();

  constructor(
    private readonly log: Logger | null,
    private readonly metrics: FacadeMetrics | null,
    private readonly tracing: Tracing | null,
  ) {}

  /**
   * An exchange is about to be sent: counts it for its request, and with tracing opens its span and writes its
   * `traceparent` into `headers`.
   */
  start(service: string, method: string, route: string, origin: string, trace: RequestTrace | undefined, headers: Record<string, string>): UpstreamCall {
    trace?.callStarted();
    let span: Span | null = null;
    if (this.tracing) {
      const server = this.serverOf(origin);
      const parent = trace?.span ? (trace.spanContext ??= this.tracing.parentContext(trace.span)) : null;
      span = this.tracing.startUpstream(parent, `${method} ${route}`, {
        'http.request.method': method,
        'url.template': route,
        'server.address': server.address,
        'server.port': server.port,
        'upstream.service': service,
      });
      this.tracing.inject(span, headers);
    }
    return new UpstreamCall(service, method, route, trace, span, headers['x-auth-token'] !== undefined);
  }

  private serverOf(origin: string): { address: string; port: number } {
    let server = this.servers.get(origin);
    if (!server) {
      const url = new URL(origin);
      server = { address: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) };
      this.servers.set(origin, server);
    }
    return server;
  }

  /** An answer came (any status); `upstreamRequestId`: the upstream's own id for it. */
  end(call: UpstreamCall, status: number, upstreamRequestId: string | null): void {
    // Any answer but a 401 (or the upstream's own failure) says the upstream took the caller's token.
    if (status < 500 && status !== 401 && call.withToken && call.trace) call.trace.upstreamAnswered = true;
    // A code no HTTP status has (an upstream's 999) is one label, not a series each.
    this.finish(call, status >= 100 && status <= 599 ? String(status) : 'other');
    if (call.span) {
      call.span.setAttribute('http.response.status_code', status);
      if (upstreamRequestId) call.span.setAttribute('upstream.request_id', upstreamRequestId);
      if (status >= 500) this.tracing!.fail(call.span, String(status));
      else call.span.end();
    }
  }

  /** The facade cut the call itself (its client left, the shutdown): `status="cancelled"`, a span without error. */
  cancelled(call: UpstreamCall, why: Cancellation): void {
    this.finish(call, 'cancelled');
    if (call.span) {
      call.span.setAttribute('upstream.cancelled', why);
      call.span.end();
    }
  }

  /** No (usable) answer: connection refused or reset, timeout, a body that is too large. */
  failed(call: UpstreamCall, err: UpstreamError): void {
    this.finish(call, 'error');
    if (call.span) this.tracing!.fail(call.span, err.code, err.message);
  }

  private finish(call: UpstreamCall, status: string): void {
    call.trace?.callEnded();
    if (!this.metrics) return;
    this.metrics.upstreamCall(call.service, call.method, call.route, status, (performance.now() - call.started) / 1000);
  }

  /**
   * A call failed for good (`retryInMs` undefined) or will be sent again. Failures of the upstream (5xx, no
   * answer) are warnings; a 4xx is the caller's (a lookup of a missing id is a 404), so it is debug.
   */
  failure(service: string, method: string, route: string, err: UpstreamError, trace: RequestTrace | undefined, retryInMs?: number, sentId?: string): void {
    if (retryInMs !== undefined) this.metrics?.upstreamRetries.inc({ service });
    if (!this.log) return;
    const upstreamFault = err.status === 0 || err.status >= 500 || err.status === 429;
    const level = retryInMs !== undefined || upstreamFault ? 'warn' : 'debug';
    if (!this.log.isLevelEnabled(level)) return;
    this.log[level](
      ofRequest(trace, {
        // The facade's id as the upstream got it, and the upstream's own for this answer.
        sentRequestId: trace?.upstreamRequestId ?? sentId,
        upstreamRequestId: err.requestId ?? undefined,
        service,
        method,
        route,
        status: err.status,
        code: err.code,
        upstreamCode: err.upstreamCode ?? undefined,
        upstreamMessage: err.upstreamMessage,
        // No answer came: why (refused, reset, a certificate TLS did not accept), as the client was told.
        reason: err.status === 0 ? err.message : undefined,
        ...(retryInMs !== undefined ? { retryInMs } : {}),
      }),
      retryInMs !== undefined ? 'upstream call failed; retrying' : 'upstream call failed',
    );
  }

  /** The host's circuit changed state, or with `project` (`project:<id>`) that project's own one. */
  circuitChanged(service: string, origin: string, from: CircuitState, to: CircuitState, trace: RequestTrace | undefined, project?: string): void {
    const fields = { service, host: origin, ...(project ? { project: project.replace(/^project:/, '') } : {}), from, to };
    this.log?.[to === 'open' ? 'warn' : 'info'](ofRequest(trace, fields), project ? `circuit ${to} for one project` : `circuit ${to}`);
  }

  /** The circuit was open: the call was not sent. */
  circuitRefused(service: string, trace: RequestTrace | undefined): void {
    this.metrics?.circuitRefusals.inc({ service });
    this.log?.debug(ofRequest(trace, { service }), 'upstream call not sent: circuit open');
  }

  bulkheadRefused(service: string, reason: 'full' | 'timeout', inFlight: number, queued: number, trace: RequestTrace | undefined): void {
    this.metrics?.bulkheadRefusals.inc({ service, reason });
    this.log?.warn(ofRequest(trace, { service, reason, inFlight, queued }), 'upstream call refused by the bulkhead');
  }
}

/** For clients made without one (unit tests, the bench's hand-written baseline): counts the request's calls only. */
export const NO_TELEMETRY = new UpstreamTelemetry(null, null, null);
