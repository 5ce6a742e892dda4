// Cinder and Manila share one fault format (the `Fault` class in each service's api/openstack/wsgi.py).

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
