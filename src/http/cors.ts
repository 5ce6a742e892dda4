import type { IncomingMessage, ServerResponse } from 'node:http';

export const ALLOW_METHODS = 'GET, POST, OPTIONS';
/**
 * What a browser client sends: JSON, the caller's token either way, a request id, the two headers Apollo's CSRF
 * refusal tells clients to send, Apollo Client's client awareness, and W3C trace context. One a preflight asks for
 * and this lacks fails the browser's request before it is sent.
 */
export const ALLOW_HEADERS = [
  'content-type',
  'authorization',
  'x-auth-token',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
].join(', ');
/** How long a browser may cache a preflight: ten minutes, so a shortened allow-list takes effect soon. */
const MAX_AGE_SECONDS = 600;
/**
 * Response headers a browser script may read beyond the safelisted ones: when to come back after a 503, and the
 * request id to quote when reporting a failure.
 */
const EXPOSE_HEADERS = 'retry-after, x-request-id';

export interface Cors {
  /**
   * On any answer on the GraphQL path: the CORS headers when the request's Origin is allowed, none otherwise.
   * Call before the answer is written (refusals included: a browser cannot read a 503 without them).
   */
  decorate(req: IncomingMessage, res: ServerResponse): void;
  /** Answers OPTIONS on the GraphQL path: 204, with the preflight headers for an allowed Origin only. */
  preflight(req: IncomingMessage, res: ServerResponse): void;
  /** Whether `origin` is one of CORS_ORIGINS (the transports' cross-site checks ask too: src/http/crossSite.ts). */
  allows(origin: string): boolean;
}

/**
 * CORS_ORIGINS: exact origins (scheme, host, port) that browsers may call the facade from; none by default, so
 * browsers only reach it from its own origin (GraphiQL). Tokens travel in headers, never cookies: no
 * Allow-Credentials. CSRF prevention (Apollo's `csrfPrevention`) still applies to every POST and GET.
 */
export function corsPolicy(origins: readonly string[]): Cors {
  const allowed = new Set(origins);
  const allowedOrigin = (req: IncomingMessage): string | null => {
    const origin = req.headers.origin;
    return origin !== undefined && allowed.has(origin) ? origin : null;
  };
  return {
    allows: (origin) => allowed.has(origin),
    decorate(req, res) {
      if (allowed.size === 0) return;
      // The answer depends on Origin: a shared cache must not give one origin's answer to another.
      res.setHeader('vary', 'Origin');
      const origin = allowedOrigin(req);
      if (!origin) return;
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
    },
    preflight(req, res) {
      const headers: Record<string, string> = { allow: ALLOW_METHODS, 'content-length': '0' };
      const origin = allowedOrigin(req);
      if (allowed.size > 0) headers.vary = 'Origin';
      if (origin) {
        headers['access-control-allow-origin'] = origin;
        headers['access-control-allow-methods'] = ALLOW_METHODS;
        headers['access-control-allow-headers'] = ALLOW_HEADERS;
        headers['access-control-max-age'] = String(MAX_AGE_SECONDS);
      }
      res.writeHead(204, headers);
      res.end();
    },
  };
}
