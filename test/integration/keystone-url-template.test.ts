// A *_URL copied from `openstack endpoint list` (…/v3/%(project_id)s, …/v2/$(project_id)s) with KEYSTONE_URL set
// answered every request 500: projectOfUrl's decodeURIComponent threw a URIError on `%(p`. Now those spellings
// are {project_id}, filled from each caller's token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BETA_PROJECT, DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const FIELDS = `{ viewer { services { name endpoint } } groups(first: 1) { nodes { id } } shareGroups(first: 1) { nodes { id } } }`;

let sims: Facade;

beforeAll(async () => {
  sims = await startFacade({ SIMULATE: 'keystone,cinder,manila,sdrs' });
});
afterAll(async () => {
  await sims.close();
});

describe('KEYSTONE_URL with *_URL in the catalog spellings', () => {
  it.each([
    ['%(project_id)s', '$(project_id)s'],
    ['$(tenant_id)s', '%(tenant_id)s'],
  ])('CINDER_URL …/%s and MANILA_URL …/%s are filled from the token', async (cinderSpelling, manilaSpelling) => {
    const cinder = sims.app.simulators.cinder!.endpoint.replace(DEMO_PROJECT.id, cinderSpelling);
    const manila = sims.app.simulators.manila!.endpoint.replace(DEMO_PROJECT.id, manilaSpelling);
    const f = await startFacade({ KEYSTONE_URL: sims.app.identity.keystoneUrl!, CINDER_URL: cinder, MANILA_URL: manila });
    try {
      for (const project of [DEMO_PROJECT.id, BETA_PROJECT.id]) {
        const r = await f.gql(FIELDS, undefined, { token: `member:${project}` });
        expect(r.status, r.raw).toBe(200);
        expect(r.errors, r.raw).toBeUndefined();
        const endpoints = Object.fromEntries(r.data!.viewer.services.map((s: { name: string; endpoint: string }) => [s.name, s.endpoint]));
        expect(endpoints.cinder).toBe(sims.app.simulators.cinder!.endpoint.replace(DEMO_PROJECT.id, project));
        expect(endpoints.manila).toBe(sims.app.simulators.manila!.endpoint.replace(DEMO_PROJECT.id, project));
      }
    } finally {
      await f.close();
    }
  });
});
