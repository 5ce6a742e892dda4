import type { Context, Span } from '@opentelemetry/api';
import type { Identity } from '../identity/keystone.js';

/**
 * What one GraphQL request did, gathered while it runs and written once as its log line, its metrics and its
 * span's attributes (requests.ts). Carried by the request's Caller, so every upstream call of the request counts
 * here. A class, not a literal: see README, "Garbage that dies young".
 */
export class RequestTrace {
  readonly started = performance.now();
  operationName: string | null = null;
  operationType: string | null = null;
  /** Its document passed validation: only then, and for a caller shown to be real, may its name take an operation_name place. */
  operationValid = false;
  /** An upstream answered one of its calls, not with a 401: its token is real (without Keystone, the only proof). */
  upstreamAnswered = false;
  /** Upstream HTTP exchanges (retries included) and round trips: waves of calls, a call leaving while none is in flight starts one. */
  calls = 0;
  roundTrips = 0;
  private inFlight = 0;
  /** `extensions.code` of every error of the answer, in order; set once the answer is known. */
  errorCodes: string[] = [];
  /** The Apollo plugin saw the answer (and put requestId in its errors); false for answers made before it ran. */
  answered = false;
  /** Why the door refused the request (503, 413, …), when it did. */
  refusal: string | null = null;
  identity: Identity | null = null;
  /** The client's address (behind a trusted proxy, the one its X-Forwarded-For names), once the server knows it. */
  clientAddress: string | null = null;
  /** The request's variables, kept only with LOG_VARIABLES=true (redacted when written). */
  variables: unknown = undefined;
  /** The context its upstream spans start in (the request's span as parent), made at the first call. */
  spanContext: Context | null = null;

  constructor(
    readonly requestId: string,
    readonly upstreamRequestId: string,
    /** The request's span; null when tracing is off. */
    readonly span: Span | null,
  ) {}

  callStarted(): void {
    if (this.inFlight++ === 0) this.roundTrips++;
    this.calls++;
  }

  callEnded(): void {
    this.inFlight--;
  }
}

/**
 * Adds the request's trace context to a log line (`trace_id`, `span_id`, `trace_flags`, the field names of
 * OpenTelemetry's pino instrumentation), so a line leads to its trace and back; nothing while tracing is off.
 */
export function addTraceContext(line: Record<string, unknown>, trace: RequestTrace | undefined): void {
  const span = trace?.span;
  if (!span) return;
  const sc = span.spanContext();
  line.trace_id = sc.traceId;
  line.span_id = sc.spanId;
  line.trace_flags = sc.traceFlags & 1 ? '01' : '00';
}
