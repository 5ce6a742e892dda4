// One-off requests from the runner: a GraphQL POST that must succeed, timed.
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { TOKEN, graphqlBody } from './queries.js';

const agent = new Agent({ connections: 8 });

export interface Timed<T> {
  ms: number;
  value: T;
}

/** POSTs the query and fails loudly (query, status, body) on anything but clean data. */
export async function gql<T = Record<string, any>>(url: string, query: string, n: number, headers: Record<string, string> = {}): Promise<Timed<T>> {
  return gqlBody<T>(url, graphqlBody(query, n), headers);
}

/** The same for any body (variables of its own); `x-auth-token` in `headers` replaces the bench token. */
export async function gqlBody<T = Record<string, any>>(url: string, body: string, headers: Record<string, string> = {}): Promise<Timed<T>> {
  const start = performance.now();
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN, ...headers },
    body,
  });
  const raw = await res.body.text();
  const ms = performance.now() - start;
  const parsed = JSON.parse(raw) as { data?: T; errors?: unknown[] };
  if (res.statusCode !== 200 || parsed.errors || !parsed.data) {
    throw new Error(`bench query failed\nbody sent: ${body.slice(0, 1000)}\nstatus: ${res.statusCode}\nbody: ${raw.slice(0, 2000)}`);
  }
  return { ms, value: parsed.data };
}

export async function closeClient(): Promise<void> {
  await agent.close();
}
