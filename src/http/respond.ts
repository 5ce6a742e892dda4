import { STATUS_CODES, type ServerResponse } from 'node:http';

/**
 * `extensions.code` of the answers the HTTP door gives itself, before GraphQL runs. A client can act on each:
 * fix the request (BAD_REQUEST), send the body faster or smaller (REQUEST_TIMEOUT), come back after Retry-After
 * (OVERLOADED: this instance is at capacity; TOO_MANY_REQUESTS: this caller has as many requests in progress as
 * it may; SHUTTING_DOWN: go to another instance), or report a bug.
 */
export type DoorCode = 'BAD_REQUEST' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'REQUEST_TIMEOUT' | 'OVERLOADED' | 'TOO_MANY_REQUESTS' | 'TOO_MANY_REFUSED_TOKENS' | 'SHUTTING_DOWN' | 'INTERNAL_SERVER_ERROR';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  // Refusals and probes alike are of this moment (and a refusal may name the caller): never kept by a cache.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

export interface RefusalOptions {
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  /**
   * Close the connection once the answer is out: the request's body was not read to its end, so the
   * connection cannot carry another request (and a slow client should not keep it).
   */
  close?: boolean;
}

/** What the door answered, by response: the request's log line and metrics say why it was refused. */
export interface DoorAnswer {
  status: number;
  code: DoorCode;
  /** The connection is closed after it: the body was not read whole (a body refusal, or a drain). */
  close: boolean;
}

const doorAnswers = new WeakMap<ServerResponse, DoorAnswer>();

/** The door's own answer to this request, if it gave one. */
export function doorAnswerOf(res: ServerResponse): DoorAnswer | undefined {
  return doorAnswers.get(res);
}

/**
 * An answer of the door itself: `{ errors: [{ message, extensions: { code, requestId } }] }`, as GraphQL errors
 * look, with the request id the server put in the X-Request-Id header.
 */
export function refuse(res: ServerResponse, status: number, code: DoorCode, message: string, opts: RefusalOptions = {}): void {
  if (opts.retryAfter !== undefined) res.setHeader('retry-after', String(opts.retryAfter));
  if (opts.close) {
    res.setHeader('connection', 'close');
    // 'finish': the answer is handed to the kernel; the unread rest of the body is not waited for.
    res.once('finish', () => res.socket?.destroySoon());
  }
  doorAnswers.set(res, { status, code, close: opts.close ?? false });
  const requestId = res.getHeader('x-request-id');
  sendJson(res, status, { errors: [{ message, extensions: typeof requestId === 'string' ? { code, requestId } : { code } }] });
}

/**
 * A door answer as raw HTTP, for requests that have no response object (a parse error, an upgrade, CONNECT): the
 * same JSON error and X-Request-Id as `refuse`, and the connection closed after it.
 */
export function rawDoorAnswer(status: number, code: DoorCode, message: string, requestId: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, requestId } }] });
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\n${extra}\r\n${body}`
  );
}
