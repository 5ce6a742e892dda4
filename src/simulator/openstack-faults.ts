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

/** `{"<faultName>": {"code": status, "message": message}}`, as both services send it. */
export function openstackFault(status: number, message: string): Record<string, { code: number; message: string }> {
  return { [FAULT_NAMES[status] ?? 'computeFault']: { code: status, message } };
}

/**
 * Wraps a simulator's handler so that the requests `when` picks get this fault instead of the simulated API:
 * e.g. only one token's requests answer 500, the way real Cinder answered one caller's NUL-byte filter.
 */
export function faultWhen(handler: SimHandler, when: (req: SimRequest) => boolean, status = 500, message = 'Unexpected API Error.'): SimHandler {
  return (req) => (when(req) ? { status, json: openstackFault(status, message) } : handler(req));
}
