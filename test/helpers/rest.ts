import { request } from 'undici';

/** Direct REST calls to an upstream, for test fixtures only (the facade is what is under test). */
export function restClient(endpoint: string, token: string | null, headers: Record<string, string>) {
  return async function call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const res = await request(`${endpoint}${path}`, {
      method: method as 'GET',
      headers: {
        ...headers,
        ...(token ? { 'x-auth-token': token } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    if (res.statusCode >= 400) throw new Error(`fixture ${method} ${path} -> ${res.statusCode}: ${text.slice(0, 500)}`);
    return { status: res.statusCode, json };
  };
}

export type RestCall = ReturnType<typeof restClient>;
