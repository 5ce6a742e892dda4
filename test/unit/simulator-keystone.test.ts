// The Keystone simulator: token validation (self and admin), the catalog built from the simulators' endpoint
// templates, Keystone's error envelopes, project look-up, expiry and a second region.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ROLE_IDS, startKeystoneSimulator } from '../../src/simulator/keystone/index.js';
import { BETA_PROJECT, DEMO_PROJECT, simUserId } from '../../src/simulator/identity.js';

type Sim = Awaited<ReturnType<typeof startKeystoneSimulator>>;

const A = DEMO_PROJECT.id;
const B = BETA_PROJECT.id;
const TEMPLATES = {
  cinder: 'http://127.0.0.1:8776/v3/%(project_id)s',
  manila: 'http://127.0.0.1:8786/v2/%(project_id)s',
  sdrs: 'http://127.0.0.1:8790/v1/{project_id}',
};

interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

async function get(sim: Sim, path: string, headers: Record<string, string> = {}): Promise<Res> {
  const res = await request(`${sim.origin}${path}`, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

const validate = (sim: Sim, auth: string | null, subject: string | null, query = '') =>
  get(sim, `/v3/auth/tokens${query}`, {
    ...(auth === null ? {} : { 'x-auth-token': auth }),
    ...(subject === null ? {} : { 'x-subject-token': subject }),
  });

describe('Keystone simulator', () => {
  let sim: Sim;
  beforeAll(async () => {
    sim = await startKeystoneSimulator({ endpoints: TEMPLATES });
  });
  afterAll(() => sim.close());

  it('serves the version documents', async () => {
    const v3 = await get(sim, '/v3');
    expect(v3.status).toBe(200);
    expect(v3.json.version).toMatchObject({ id: 'v3.14', status: 'stable', links: [{ rel: 'self', href: `${sim.origin}/v3/` }] });
    expect(sim.endpoint).toBe(`${sim.origin}/v3`);
    const root = await get(sim, '/');
    expect([root.status, root.json.versions.values[0].id]).toEqual([300, 'v3.14']);
  });

  it('validates a token with itself: user, project, implied roles, expiry and the catalog with the project filled in', async () => {
    const token = `member:${B}`;
    const res = await validate(sim, token, token);
    expect(res.status, res.text).toBe(200);
    expect(res.headers['x-subject-token']).toBe(token);
    const t = res.json.token;
    expect(t.methods).toEqual(['password']);
    expect(t.user).toEqual({ domain: { id: 'default', name: 'Default' }, id: simUserId('member', B), name: 'member-beta', password_expires_at: null });
    expect(t.project).toEqual({ domain: { id: 'default', name: 'Default' }, id: B, name: 'beta' });
    expect(t.roles).toEqual([
      { id: ROLE_IDS.member, name: 'member' },
      { id: ROLE_IDS.reader, name: 'reader' },
    ]);
    expect(Date.parse(t.expires_at) - Date.parse(t.issued_at)).toBe(3_600_000);
    expect(t.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const byType = Object.fromEntries(t.catalog.map((s: { type: string; endpoints: { url: string; region_id: string; interface: string }[] }) => [s.type, s.endpoints]));
    expect(Object.keys(byType).sort()).toEqual(['block-storage', 'sdrs', 'shared-file-system']);
    expect(byType['block-storage']).toEqual([
      expect.objectContaining({ interface: 'public', region_id: 'RegionOne', region: 'RegionOne', url: `http://127.0.0.1:8776/v3/${B}` }),
    ]);
    expect(byType['shared-file-system'][0].url).toBe(`http://127.0.0.1:8786/v2/${B}`);
    expect(byType.sdrs[0].url).toBe(`http://127.0.0.1:8790/v1/${B}`);
    const admin = (await validate(sim, `admin:${A}`, `admin:${A}`)).json.token;
    expect(admin.roles.map((r: { name: string }) => r.name)).toEqual(['admin', 'member', 'reader']);
    expect(admin.catalog[0].endpoints[0].url).toBe(`http://127.0.0.1:8776/v3/${A}`);
    expect((await validate(sim, token, token, '?nocatalog')).json.token).not.toHaveProperty('catalog');
  });

  it("an admin validates anyone's token; anyone else only its own (403 ForbiddenAction)", async () => {
    expect((await validate(sim, `admin:${A}`, `reader:${B}`)).json.token.project.id).toBe(B);
    const res = await validate(sim, `member:${A}`, `reader:${A}`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({
      error: { code: 403, title: 'Forbidden', message: 'You are not authorized to perform the requested action: identity:validate_token.' },
    });
  });

  it('answers 404 for an unknown subject token and 401 without, or with an unknown, X-Auth-Token', async () => {
    for (const bogus of ['bench-token', 'member:00000000000000000000000000000000', `owner:${A}`]) {
      const res = await validate(sim, `member:${A}`, bogus);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ error: { code: 404, title: 'Not Found', message: `Could not find token: ${bogus}.` } });
    }
    const none = await validate(sim, null, `member:${A}`);
    expect(none.status).toBe(401);
    expect(none.json.error).toEqual({ code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' });
    expect(none.headers['www-authenticate']).toBe(`Keystone uri="${sim.origin}"`);
    expect((await validate(sim, 'bench-token', `member:${A}`)).status).toBe(401);
    expect((await validate(sim, `admin:${A}`, null)).json.error.message).toBe('No token in the request');
  });

  it('GET /v3/projects/{id}: admins and any role of that project, 403 for others, 404 unknown', async () => {
    const own = await get(sim, `/v3/projects/${B}`, { 'x-auth-token': `reader:${B}` });
    expect(own.status).toBe(200);
    expect(own.json.project).toMatchObject({ id: B, name: 'beta', domain_id: 'default', enabled: true });
    expect((await get(sim, `/v3/projects/${B}`, { 'x-auth-token': `admin:${A}` })).json.project.name).toBe('beta');
    const other = await get(sim, `/v3/projects/${A}`, { 'x-auth-token': `member:${B}` });
    expect([other.status, other.json.error.message]).toEqual([403, 'You are not authorized to perform the requested action: identity:get_project.']);
    const unknown = await get(sim, '/v3/projects/ffffffffffffffffffffffffffffffff', { 'x-auth-token': `admin:${A}` });
    expect([unknown.status, unknown.json.error.message]).toEqual([404, 'Could not find project: ffffffffffffffffffffffffffffffff.']);
    expect((await get(sim, `/v3/projects/${A}`)).status).toBe(401);
  });

  it('records calls; a revoked token is unknown', async () => {
    sim.resetCalls();
    await validate(sim, `reader:${A}`, `reader:${A}`);
    expect(sim.calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /v3/auth/tokens']);
    sim.state.revoke(`reader:${A}`);
    expect((await validate(sim, `admin:${A}`, `reader:${A}`)).status).toBe(404);
  });
});

describe('Keystone simulator: options', () => {
  it('expires tokens after their lifetime and lists an extra region', async () => {
    const sim = await startKeystoneSimulator({
      endpoints: { cinder: TEMPLATES.cinder },
      tokenLifetimeMs: 50,
      extraRegion: { id: 'RegionTwo', endpoints: { cinder: 'http://10.0.0.2:8776/v3/%(project_id)s' } },
      projects: [{ id: 'abc123', name: 'solo' }],
    });
    try {
      const first = await validate(sim, 'member:abc123', 'member:abc123');
      const catalog = first.json.token.catalog;
      expect(catalog).toHaveLength(1);
      expect(catalog[0].endpoints.map((e: { region_id: string; url: string }) => [e.region_id, e.url])).toEqual([
        ['RegionOne', 'http://127.0.0.1:8776/v3/abc123'],
        ['RegionTwo', 'http://10.0.0.2:8776/v3/abc123'],
      ]);
      // Projects not configured are unknown, the default ones included.
      expect((await validate(sim, 'member:abc123', `member:${A}`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 60));
      expect((await validate(sim, 'member:abc123', 'member:abc123')).status).toBe(401);
    } finally {
      await sim.close();
    }
  });
});
