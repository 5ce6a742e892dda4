// Keystone's wire shapes: the error envelope (keystone/exception.py + server/flask/application.py render), the
// version documents (keystone/api/discovery.py) and its timestamps (utils.isotime(subsecond=True)).
import { randomUUID } from 'node:crypto';
import type { SimResponse } from '../server.js';

const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' };

export function requestId(): string {
  return `req-${randomUUID()}`;
}

/** `{"error": {"code", "message", "title"}}`, the one shape every Keystone error has. */
export function keystoneError(status: number, message: string, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    json: { error: { code: status, message, title: TITLES[status] ?? 'Internal Server Error' } },
    headers: { 'x-openstack-request-id': requestId(), ...headers },
  };
}

/** exception.Unauthorized, with the WWW-Authenticate header Keystone adds to every 401. */
export function unauthorized(origin: string): SimResponse {
  return keystoneError(401, 'The request you have made requires authentication.', {
    'www-authenticate': `Keystone uri="${origin}"`,
  });
}

/** exception.ForbiddenAction. */
export const forbiddenAction = (action: string): SimResponse =>
  keystoneError(403, `You are not authorized to perform the requested action: ${action}.`);

/** `2025-06-02T10:15:22.000000Z`. */
export function isotime(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds() * 1000).padStart(6, '0')}Z`;
}

export function v3Version(origin: string): Record<string, unknown> {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${origin}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** `GET /`: 300 Multiple Choices listing v3 only (Keystone Zed serves no v2.0). */
export const versionsDocument = (origin: string): SimResponse => ({
  status: 300,
  json: { versions: { values: [v3Version(origin)] } },
  headers: { location: `${origin}/v3/` },
});

export const v3Document = (origin: string): SimResponse => ({ status: 200, json: { version: v3Version(origin) } });
