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
 * Upstream answer bytes being read at once, by every call of the process: past this, the call whose bytes pass it
 * is cut. Each call is bounded by its own maxBytes, but 64 calls of 32 MiB (an upstream ignoring `limit`) took a
 * facade to 2.6 GB (byzantine-upstream probe of 2026-12-08); a portal's busiest screens read a few MB at once.
 */
export const MAX_READING_BYTES = 256 * 1024 * 1024;
/** The limit in force: MAX_READING_BYTES (a test lowers it rather than send 256 MiB). */
export const readingLimit = { bytes: MAX_READING_BYTES };
let reading = 0;

/** What is being read now (tests). */
export const bytesBeingRead = (): number => reading;

/** The answer cut because the process was reading MAX_READING_BYTES already (`reading`: read by networkError). */
function tooMuchReading(): Error & { limit: number; reading: true } {
  return Object.assign(new undiciErrors.ResponseExceededMaxSizeError(), { limit: readingLimit.bytes, reading: true as const });
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
      reading -= received;
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
        if (settled) return;
        received += chunk.length;
        reading += chunk.length;
        if (received > maxBytes) stop(tooLarge(maxBytes));
        // Reads only: a write's answer is read whatever it costs, its change made.
        else if (read && reading > readingLimit.bytes) stop(tooMuchReading());
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
