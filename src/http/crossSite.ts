import type { IncomingMessage } from 'node:http';

/**
 * Headers a page cannot send to another origin without a CORS preflight, which an origin not in CORS_ORIGINS
 * fails, so a request carrying one cannot be a cross-site forgery: Apollo's two, and the token headers every real
 * caller sends (urql and Apollo Client GETs pass with them). Apollo's csrfPrevention takes the same list.
 */
export const PREFLIGHTED_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight', 'x-auth-token', 'authorization'] as const;

export const CROSS_SITE_MESSAGE =
  'This subscription has been blocked as a potential Cross-Site Request Forgery (CSRF): a GET asking for an event ' +
  `stream from another site's page is refused. Subscribe with POST (content-type: application/json), or send one of ${PREFLIGHTED_HEADERS.join(', ')}.`;

export const CROSS_SITE_WEBSOCKET_MESSAGE =
  "This WebSocket has been blocked as a potential Cross-Site WebSocket Hijacking: its handshake comes from another site's page " +
  '(an Origin that is neither this server nor one in CORS_ORIGINS).';

/**
 * Whether a GET asking for an event stream, or a WebSocket handshake, may come from another site's page
 * (`new EventSource(...)`, `new WebSocket(...)`): it sends no token, which in demo mode is the demo admin, and
 * Apollo's csrfPrevention never sees it. The browser says so in
 * Sec-Fetch-Site (a page cannot set it), else its Origin is neither the facade's nor one in CORS_ORIGINS. A
 * preflight-forcing header clears it, as for Apollo; server-side clients (Hive Gateway) send neither header.
 */
export function isCrossSitePage(req: IncomingMessage, allowsOrigin: (origin: string) => boolean): boolean {
  if (req.method !== 'GET' || PREFLIGHTED_HEADERS.some((name) => req.headers[name] !== undefined)) return false;
  const site = req.headers['sec-fetch-site'];
  if (site === 'same-origin' || site === 'none') return false;
  const origin = req.headers.origin;
  if (origin !== undefined) return !allowsOrigin(origin) && !isOwnOrigin(origin, req.headers.host);
  return site === 'cross-site' || site === 'same-site';
}

/** `origin` names the host the request was sent to (its Host header; default ports as the origin's scheme has them). */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const page = new URL(origin);
    return page.host === new URL(`${page.protocol}//${host}`).host;
  } catch {
    // `null` (a sandboxed page, a file) or not a URL: no origin of ours
    return false;
  }
}
