import { randomUUID } from 'node:crypto';

/** A client's X-Request-Id is taken as the facade's own when it is this safe: nothing a log or header can trip on. */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** The only form Cinder and Manila take as a global request id (oslo.middleware's request_id checks it). */
const OPENSTACK_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface RequestIds {
  /** The facade's request id: the client's X-Request-Id when it is safe, else `req-<uuid>`; sent back as X-Request-Id. */
  id: string;
  /**
   * Sent upstream as X-OpenStack-Request-ID: the facade's id when it has the `req-<uuid>` form OpenStack accepts,
   * else one made for this request (both are in the request's log line, which is how the two are joined).
   */
  upstream: string;
}

export function requestIds(header: string | string[] | undefined): RequestIds {
  const given = Array.isArray(header) ? header[0] : header;
  if (given === undefined || !SAFE_ID.test(given)) {
    // Made here in the form OpenStack takes: no need to test it.
    const made = `req-${randomUUID()}`;
    return { id: made, upstream: made };
  }
  return { id: given, upstream: OPENSTACK_ID.test(given) ? given : `req-${randomUUID()}` };
}

/** Errors as the client gets them, each with the request id in its extensions, as every error of every answer has. */
export function withRequestIdIn<E extends { readonly extensions?: Readonly<Record<string, unknown>> }>(errors: readonly E[], requestId: string): E[] {
  return errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId } }));
}
