// Probe of 2026-12-08: when an admin's listing of Keystone's projects failed, the caller's own project link failed
// with it, although the token names that project.
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import type { Identity, KeystoneClient } from '../../src/identity/keystone.js';
import { createProjectLoader } from '../../src/identity/projects.js';
import type { Caller } from '../../src/upstreams/caller.js';

const own = { id: 'p-own', name: 'own', domain: 'Default' };
const admin: Identity = { user: { id: 'u', name: 'u', domain: null }, project: own, roles: ['admin'], expiresAt: new Date(Date.now() + 60_000), catalog: [] };

describe('project links of an admin whose project listing fails', () => {
  it("the caller's own project is still named; the others carry the listing's error", async () => {
    const keystone = { listProjects: () => Promise.reject(new Error('Keystone answered 500')) } as unknown as KeystoneClient;
    const loader = createProjectLoader(admin, keystone, {} as Caller);
    const [mine, other] = await Promise.allSettled([loader.load('p-own'), loader.load('p-other')]);
    expect(mine).toEqual({ status: 'fulfilled', value: own });
    expect(other).toMatchObject({ status: 'rejected', reason: { message: 'Keystone answered 500' } });
  });

  // Review of 2026-12-08: secure RBAC refuses a project-scoped admin the listing (403): every other project's link
  // failed FORBIDDEN, hundreds of identical errors on an allProjects page.
  it('a 403 to the listing: others by id, their names not known, no error', async () => {
    const keystone = { listProjects: () => Promise.reject(new UpstreamError('FORBIDDEN', 'policy', 'keystone', 403, null, null)) } as unknown as KeystoneClient;
    const loader = createProjectLoader(admin, keystone, {} as Caller);
    expect(await loader.loadMany(['p-own', 'p-other'])).toEqual([own, { id: 'p-other', name: null, domain: null }]);
  });

  it('with the listing in, others are named from it', async () => {
    const keystone = { listProjects: async () => [{ id: 'p-other', name: 'other', domain: null }] } as unknown as KeystoneClient;
    const loader = createProjectLoader(admin, keystone, {} as Caller);
    expect(await loader.loadMany(['p-own', 'p-other'])).toEqual([own, { id: 'p-other', name: 'other', domain: null }]);
  });
});
