/**
 * The one error vocabulary of the facade. Every failure a client can see carries one of these codes in
 * `extensions.code`; the README documents them.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'NOT_SUPPORTED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  /** A write reached the upstream but its answer was lost: it may have happened; re-read before sending it again. */
  | 'OUTCOME_UNKNOWN'
  /** Log lines only: a read cut because its client left (499) or because the shutdown's grace period ended (503). */
  | 'CLIENT_CLOSED'
  | 'SHUTTING_DOWN'
  /** On a field: more ids named in `_entities` that no listing answered than one request may look up one by one (loaders.ts). */
  | 'QUERY_TOO_LARGE';

export type ServiceName = 'cinder' | 'manila' | 'sdrs';

/** Everything the facade calls over HTTP: the storage services, and Keystone for who the caller is. */
export type UpstreamService = ServiceName | 'keystone';

/** Base class of every error the facade raises on purpose; anything else is an internal error. */
export class FacadeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input caught before any upstream call. */
export class InputError extends FacadeError {
  constructor(message: string) {
    super('BAD_USER_INPUT', message);
  }
}

/** The upstream is too old (or not configured) for what was asked. */
export class NotSupportedError extends FacadeError {
  constructor(
    readonly service: ServiceName,
    message: string,
  ) {
    super('NOT_SUPPORTED', message);
  }
}

/** One upstream failure, whatever envelope it came in. */
export class UpstreamError extends FacadeError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly service: UpstreamService,
    /** HTTP status from the upstream; 0 when no response arrived (timeout, refused connection). */
    readonly status: number,
    readonly requestId: string | null,
    /** The upstream's own error name or code, e.g. `itemNotFound` or `SDRS.1013`. */
    readonly upstreamCode: string | null,
    /** The upstream's Retry-After header, when it sent one. */
    readonly retryAfter?: string,
  ) {
    super(code, message);
  }

  /** The upstream's own message where the client is not shown it (a 5xx's may hold internals): for the log only. */
  upstreamMessage?: string;
}
