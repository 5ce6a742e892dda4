import { Writable } from 'node:stream';
import { request } from 'undici';
import { type App, type SimulatorOptions, startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { ObservabilityHooks } from '../../src/observability/index.js';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] | undefined;
  raw: string;
}

export interface Facade {
  app: App;
  url: string;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, opts?: { token?: string | null }): Promise<GqlResult<T>>;
  /** Like gql, but fails the test with the query, variables and body when any error came back. */
  ok<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, opts?: { token?: string | null }): Promise<T>;
  close(): Promise<void>;
}

/**
 * Starts the real facade on a free port with the given environment (as `npm start` would read it). Every document
 * is compiled at once (GRAPHQL_COMPILE_AFTER=0), so the suite runs on graphql-jit, the executor a busy facade
 * spends its time in; `GRAPHQL_COMPILE_AFTER=off npm test` runs it on graphql-js instead.
 */
export async function startFacade(
  env: Record<string, string>,
  sim?: SimulatorOptions,
  defaultToken?: string,
  /** Where log lines (and spans) go; by default the lines are written and dropped (TEST_LOGS=1: stdout). */
  hooks: ObservabilityHooks = {},
): Promise<Facade> {
  const compileAfter = process.env.GRAPHQL_COMPILE_AFTER ?? '0';
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', GRAPHQL_COMPILE_AFTER: compileAfter, ...env });
  const logDestination = hooks.logDestination ?? (process.env.TEST_LOGS === '1' ? undefined : discard());
  const app = await startApp(config, sim, { ...hooks, logDestination });
  const url = `${app.server.url}/graphql`;
  async function gql<T>(query: string, variables?: Record<string, unknown>, opts?: { token?: string | null }) {
    const token = opts && 'token' in opts ? opts.token : defaultToken;
    const res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const raw = await res.body.text();
    let parsed: { data?: T; errors?: GqlResult['errors'] } = {};
    try {
      parsed = JSON.parse(raw);
    } catch {
      // leave empty; the caller sees raw
    }
    return { status: res.statusCode, data: parsed.data ?? null, errors: parsed.errors, raw } as GqlResult<T>;
  }
  return {
    app,
    url,
    gql,
    ok: async <T>(query: string, variables?: Record<string, unknown>, opts?: { token?: string | null }) => {
      const r = await gql<T>(query, variables, opts);
      if (r.status !== 200 || r.errors?.length || !r.data) {
        throw new Error(
          `unexpected GraphQL errors\nquery: ${query}\nvariables: ${JSON.stringify(variables)}\nstatus: ${r.status}\nbody: ${r.raw}`,
        );
      }
      return r.data;
    },
    close: () => app.close(),
  };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, done) => done() });
}

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
export async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, stepMs));
    v = await read();
  }
  return v;
}
