// Without Keystone, each *_URL names one project; a token of another project gets Cinder's and Manila's 400
// "Malformed request url". It was answered BAD_USER_INPUT, though nothing in the request was malformed (real-OpenStack
// probe): it is FORBIDDEN now, saying what is wrong and what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCinderSimulator } from '../../src/simulator/cinder/index.js';
import { startManilaSimulator } from '../../src/simulator/manila/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const OTHER_PROJECT = 'member:5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e';

describe('a token of another project than the endpoint serves', () => {
  let f: Facade;
  let sims: { close(): Promise<void> }[];
  beforeAll(async () => {
    const [cinder, manila] = await Promise.all([startCinderSimulator({}), startManilaSimulator({})]);
    sims = [cinder, manila];
    // Reached by URL, as real services are (the embedded demo simulators serve a role token's own project).
    f = await startFacade({ CINDER_URL: cinder.endpoint, MANILA_URL: manila.endpoint });
  });
  afterAll(async () => {
    await f.close();
    await Promise.all(sims.map((s) => s.close()));
  });

  it.each([
    ['groups', 'Cinder', 'CINDER_URL'],
    ['shareGroups', 'Manila', 'MANILA_URL'],
  ])('%s: FORBIDDEN, naming %s and %s', async (field, label, variable) => {
    const r = await f.gql(`{ ${field}(first: 1) { nodes { id } } }`, undefined, { token: OTHER_PROJECT });
    const e = r.errors?.[0];
    expect(e?.extensions?.code, r.raw).toBe('FORBIDDEN');
    expect(e?.extensions?.upstream).toMatchObject({ status: 400 });
    expect(e?.message).toBe(
      `The token is not of the project this facade's ${label} endpoint serves (${variable} names one project): use a token of that project, ` +
        `or run the facade with KEYSTONE_URL to serve every project. (${label} said: Malformed request url.)`,
    );
  });
});
