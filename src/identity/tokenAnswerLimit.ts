import { type Dispatcher, errors as undiciErrors } from 'undici';
import { UpstreamError } from '../errors.js';
import { networkError } from '../upstreams/upstreamErrors.js';

/**
 * The largest token validation answer read: a public cloud's catalog is 100-300 KB, and each answer is parsed
 * whole while Keystone is waited on (the generic upstream limit, 32 MiB, is for listings).
 */
export const MAX_TOKEN_ANSWER_BYTES = 4 * 1024 * 1024;

const TOKEN_VALIDATION = /\/auth\/tokens$/;

/** `agent`, with answers to token validations cut off past MAX_TOKEN_ANSWER_BYTES (declared or received). */
export function withTokenAnswerLimit(agent: Dispatcher): Dispatcher {
  return agent.compose((dispatch) => (opts, handler) => dispatch(opts, TOKEN_VALIDATION.test(opts.path) ? limited(handler) : handler));
}

function limited(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler {
  let received = 0;
  const tooLarge = () => new undiciErrors.ResponseExceededMaxSizeError();
  return {
    onRequestStart: (c, context) => handler.onRequestStart?.(c, context),
    onRequestUpgrade: (c, status, headers, socket) => handler.onRequestUpgrade?.(c, status, headers, socket),
    onResponseStart(c, status, headers, message) {
      if (Number(headers['content-length'] ?? 0) > MAX_TOKEN_ANSWER_BYTES) return c.abort(tooLarge());
      handler.onResponseStart?.(c, status, headers, message);
    },
    onResponseData(c, chunk) {
      received += chunk.length;
      if (received > MAX_TOKEN_ANSWER_BYTES) return c.abort(tooLarge());
      handler.onResponseData?.(c, chunk);
    },
    onResponseEnd: (c, trailers) => handler.onResponseEnd?.(c, trailers),
    onResponseError: (c, err) => handler.onResponseError?.(c, err),
  };
}

// The client maps the cut to the generic limit's message; it is recognised by that message and told with this one.
const GENERIC_TOO_LARGE = networkError('keystone', new undiciErrors.ResponseExceededMaxSizeError()).message;

/** The error for a token answer cut off by withTokenAnswerLimit; null for any other failure. */
export function tokenAnswerTooLarge(err: unknown): UpstreamError | null {
  if (!(err instanceof UpstreamError) || err.service !== 'keystone' || err.message !== GENERIC_TOO_LARGE) return null;
  const message = `Keystone answered a token validation with more than ${MAX_TOKEN_ANSWER_BYTES} bytes; refused.`;
  return new UpstreamError('UPSTREAM_ERROR', message, 'keystone', 0, err.requestId, null);
}
