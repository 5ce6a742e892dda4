import type { IncomingHttpHeaders } from 'node:http';
import { errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import type { Cutoff } from './caller.js';

/** Method of an upstream call. */
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The largest answer body the facade reads from an upstream; past it the call fails (see networkError). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Where a call goes, split the way dispatch() takes it. */
export interface Target {
  origin: string;
  /** Path and query string, already encoded. */
  path: string;
}

export function splitUrl(url: string): Target {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname + u.search };
}

export interface RawResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export interface ExchangeHooks {
  /**
   * The request is being written to a connected socket: from here on the upstream may carry it out whatever
   * becomes of the answer. Never called for a call that failed to connect or was aborted while waiting for a
   * connection (undici calls onRequestStart only on a connected socket, right before it writes).
   */
  onSent(): void;
  /** The answer's status and headers arrived. */
  onHeaders(): void;
  /** The largest body read (default MAX_RESPONSE_BYTES). */
  maxBytes?: number;
  /** It only reads (a GET, or a POST that reads: Cinder's list_replication_targets), so its client leaving cuts it. */
  read?: boolean;
}

/** undici's error for too large an answer, saying the limit it passed (`limit`: read by networkError). */
export function tooLarge(limit: number): Error & { limit: number } {
  return Object.assign(new undiciErrors.ResponseExceededMaxSizeError(), { limit });
}

/**
 * One HTTP exchange through the agent's dispatch(), the body gathered as buffers and decoded once. undici's
 * request() would wrap every answer in a Readable stream and an abort-signal adapter first; at five to twenty calls
 * per GraphQL request that machinery cost more CPU than the facade's own logic (see README, Performance).
 *
 * Same limits as request() plus: a declared or received length above `hooks.maxBytes` is refused whatever the
 * agent, and an abort settles the promise at once, even while the call still waits for a connection.
 */
export function exchangeOnce(
  agent: Dispatcher,
  target: Target,
  method: Method,
  headers: Record<string, string>,
  body: string | undefined,
  cutoff: Cutoff | undefined,
  hooks: ExchangeHooks,
): Promise<RawResponse> {
  const maxBytes = hooks.maxBytes ?? MAX_RESPONSE_BYTES;
  return new Promise<RawResponse>((resolve, reject) => {
    const onCut = (reason: Error) => stop(reason);
    const read = hooks.read ?? method === 'GET';
    if (cutoff && !cutoff.watch(onCut, read)) {
      reject(cutoff.refusal());
      return;
    }
    let controller: Dispatcher.DispatchController | null = null;
    let abortReason: Error | null = null;
    let settled = false;
    let statusCode = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (err: unknown, value?: RawResponse) => {
      if (settled) return;
      settled = true;
      cutoff?.unwatch(onCut);
      if (err === null) resolve(value!);
      else reject(err);
    };
    const stop = (reason: Error) => {
      if (controller) controller.abort(reason);
      else abortReason = reason;
      finish(reason);
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (abortReason) c.abort(abortReason);
        else hooks.onSent();
      },
      onResponseStart(_c, status, h) {
        if (status < 200) return; // an informational answer (100 Continue); the real one follows
        statusCode = status;
        responseHeaders = h;
        hooks.onHeaders();
        if (Number(h['content-length'] ?? 0) > maxBytes) stop(tooLarge(maxBytes));
      },
      onResponseData(_c, chunk) {
        received += chunk.length;
        if (received > maxBytes) stop(tooLarge(maxBytes));
        else chunks.push(chunk);
      },
      onResponseEnd() {
        const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
        // A byte order mark is no part of the JSON (RFC 8259 lets a parser ignore it); Buffer keeps it as U+FEFF.
        finish(null, { statusCode, headers: responseHeaders, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
      },
      onResponseError(_c, err) {
        finish(err);
      },
    };
    try {
      agent.dispatch({ origin: target.origin, path: target.path, method, headers, body }, handler);
    } catch (err) {
      finish(err);
    }
  });
}
