// Cinder and Manila share one fault format (the `Fault` class in each service's api/openstack/wsgi.py).
import type { SimHandler, SimRequest } from './server.js';

/** Fault names by HTTP status; any other status becomes `computeFault` (406, 500 …). */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  501: 'notImplemented',
  503: 'serviceUnavailable',
};

// Both services' only 413s are QuotaErrors, whose `Retry-After: 0` header Fault copies into the body as a string.
const QUOTA_RETRY_AFTER = '0';

/** `{"<faultName>": {"code": status, "message": message}}` (`retryAfter` too for a 413), as both services send it. */
export function openstackFault(status: number, message: string): Record<string, { code: number; message: string; retryAfter?: string }> {
  const fault = status === 413 ? { code: status, message, retryAfter: QUOTA_RETRY_AFTER } : { code: status, message };
  return { [FAULT_NAMES[status] ?? 'computeFault']: fault };
}

/** The headers a fault carries besides the service's own: a QuotaError's `Retry-After`. */
export function faultHeaders(status: number): Record<string, string> {
  return status === 413 ? { 'Retry-After': QUOTA_RETRY_AFTER } : {};
}

/**
 * Wraps a simulator's handler so that the requests `when` picks get this fault instead of the simulated API:
 * e.g. only one token's requests answer 500, the way real Cinder answered one caller's NUL-byte filter.
 */
export function faultWhen(handler: SimHandler, when: (req: SimRequest) => boolean, status = 500, message = 'Unexpected API Error.'): SimHandler {
  return (req) => (when(req) ? { status, json: openstackFault(status, message) } : handler(req));
}
