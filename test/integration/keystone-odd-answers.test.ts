// Probe of 2026-12-08 (a fake Keystone answering oddly): a token Keystone validated with 200 although its
// expires_at had passed was served, writes included; a 403 to the token validating itself was HTTP 502 FORBIDDEN;
// an X-Subject-Token naming another token was taken; a role of an id alone counted as its name; and a token
// project id a `{project_id}` template could not hold (a lone surrogate, `..`) made every request a 500.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const PROJECT = '8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const HOUR = 3_600_000;

/** What the fake Keystone answers for a token: a token document's fields, a status, or another subject. */
function answerFor(token: string): { status: number; body: unknown; subject?: string } {
  const doc = (over: Record<string, unknown> = {}) => ({
    token: { user: { id: 'u1', name: 'alice' }, project: { id: PROJECT, name: 'demo' }, roles: [{ name: 'member' }], expires_at: new Date(Date.now() + HOUR).toISOString(), catalog: [], ...over },
  });
  if (token === 'expired') return { status: 200, body: doc({ expires_at: new Date(Date.now() - 1000).toISOString() }) };
  if (token === 'restricted') return { status: 403, body: { error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:validate_token.' } } };
  if (token === 'no-content') return { status: 204, body: '' };
  if (token === 'firewalled') return { status: 403, body: '<html><body>Forbidden by the WAF</body></html>' };
  if (token === 'mixed-up') return { status: 200, body: doc(), subject: 'somebody-else' };
  if (token === 'role-ids') return { status: 200, body: doc({ roles: [{ id: 'admin' }, { name: 'reader' }] }) };
  if (token === 'surrogate') return { status: 200, body: doc({ project: { id: 'abc\ud800', name: 'odd' } }) };
  if (token === 'dots') return { status: 200, body: doc({ project: { id: '..', name: 'odd' } }) };
  return { status: 200, body: doc() };
}

let keystone: Server;
let cinder: Server;
let validations: string[] = [];
let cinderPaths: string[] = [];
let f: Facade;

beforeAll(async () => {
  keystone = createServer((req, res) => {
    const token = String(req.headers['x-subject-token']);
    validations.push(token);
    const a = answerFor(token);
    const text = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    res.writeHead(a.status, { 'content-type': typeof a.body === 'string' ? 'text/html' : 'application/json', 'x-subject-token': a.subject ?? token }).end(text);
  });
  // A Cinder that records every path it is asked for and answers an empty project.
  cinder = createServer((req, res) => {
    cinderPaths.push(req.url ?? '');
    const versions = { versions: [{ id: 'v3.0', status: 'CURRENT', min_version: '3.0', version: '3.70' }] };
    const body = /\/groups\b/.test(req.url ?? '') ? { groups: [] } : versions;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await Promise.all([keystone, cinder].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()))));
  const port = (s: Server) => (s.address() as AddressInfo).port;
  f = await startFacade({ KEYSTONE_URL: `http://127.0.0.1:${port(keystone)}/v3`, CINDER_URL: `http://127.0.0.1:${port(cinder)}/v3/{project_id}` });
});
afterAll(async () => {
  await f?.close();
  for (const s of [keystone, cinder]) {
    s?.closeAllConnections();
    await new Promise<void>((r) => s?.close(() => r()));
  }
});
beforeEach(() => {
  validations = [];
  cinderPaths = [];
});

const GROUPS = '{ groups(first: 1) { totalCount } }';
const projectCalls = () => cinderPaths.filter((p) => p.includes('/groups'));

describe('an odd answer of Keystone to the token validating itself', () => {
  it('a good token reads its project (the fake upstreams work)', async () => {
    const r = await f.gql(GROUPS, undefined, { token: 'good' });
    expect(r.status, r.raw).toBe(200);
    expect(r.data).toEqual({ groups: { totalCount: 0 } });
    expect(projectCalls()).toEqual([expect.stringContaining(`/v3/${PROJECT}/groups`)]);
  });

  it('200 for a token whose expires_at has passed: 401, nothing sent upstream, and Keystone not asked again', async () => {
    const r = await f.gql('mutation { deleteGroup(input: { id: "3f1c2a9e-0d7b-4c55-9f38-2b6e1d4a7c10" }) { id } }', undefined, { token: 'expired' });
    expect(r.status, r.raw).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(r.errors?.[0]?.message).toMatch(/expired/);
    expect((await f.gql(GROUPS, undefined, { token: 'expired' })).status).toBe(401);
    expect(projectCalls()).toEqual([]);
    expect(validations).toEqual(['expired']);
  });

  it('403 (identity:validate_token refused): 403 FORBIDDEN saying the token may not validate itself', async () => {
    const r = await f.gql(GROUPS, undefined, { token: 'restricted' });
    expect(r.status, r.raw).toBe(403);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', upstream: { service: 'keystone', status: 403 } });
    expect(r.errors?.[0]?.message).toMatch(/does not let this token validate itself/);
    expect(projectCalls()).toEqual([]);
  });

  // Review of 2026-12-08: a 403 of something in front of Keystone (a WAF, an allowlist) is the deployment's fault.
  it("403 without Keystone's error envelope: 502 UPSTREAM_ERROR, not the client's", async () => {
    const r = await f.gql(GROUPS, undefined, { token: 'firewalled' });
    expect(r.status, r.raw).toBe(502);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
  });

  it('a 204 without a token document: 502 naming the status Keystone sent', async () => {
    const r = await f.gql(GROUPS, undefined, { token: 'no-content' });
    expect(r.status, r.raw).toBe(502);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstream: { service: 'keystone', status: 204 } });
  });

  it('an X-Subject-Token naming another token: 502 UPSTREAM_ERROR, the identity not taken', async () => {
    const r = await f.gql('{ viewer { user { name } } }', undefined, { token: 'mixed-up' });
    expect(r.status, r.raw).toBe(502);
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/another token/);
  });

  it('a role of an id alone is no role name', async () => {
    const d = await f.ok<any>('{ viewer { roles } }', undefined, { token: 'role-ids' });
    expect(d.viewer.roles).toEqual(['reader']);
  });

  it.each(['surrogate', 'dots'])('a project id no path can hold (%s): that service unavailable on its fields, no 500, no call', async (token) => {
    const r = await f.gql(`${GROUPS.slice(0, -1)} viewer { user { name } } }`, undefined, { token });
    expect(r.status, r.raw).toBe(200);
    expect(r.data?.viewer).toEqual({ user: { name: 'alice' } });
    expect(r.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(r.errors?.[0]?.message).toMatch(/cannot stand there/);
    expect(projectCalls()).toEqual([]);
  });
});
