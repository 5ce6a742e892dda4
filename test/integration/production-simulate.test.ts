// NODE_ENV=production and SIMULATE through the running facade: a service SIMULATE does not name is off (its fields
// answer UPSTREAM_UNAVAILABLE, no simulator runs for it), and no request is let in without a token as the demo admin.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PROJECT } from '../../src/simulator/identity.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const BOTH = '{ groups(first: 1) { nodes { id } } shareGroups(first: 1) { nodes { id } } }';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('NODE_ENV=production', () => {
  it('SIMULATE=keystone serves no simulated data and refuses a request without a token', async () => {
    f = await startFacade({ NODE_ENV: 'production', SIMULATE: 'keystone' });
    expect(Object.keys(f.app.simulators)).toEqual([]);
    const anonymous = await f.gql(BOTH, undefined, { token: null });
    expect(anonymous.status, anonymous.raw).toBe(401);
    const r = await f.gql(BOTH, undefined, { token: `admin:${DEMO_PROJECT.id}` });
    expect(r.data, r.raw).toEqual({ groups: null, shareGroups: null });
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
  });

  it('SIMULATE=cinder simulates Cinder alone, with no demo Keystone', async () => {
    f = await startFacade({ NODE_ENV: 'production', SIMULATE: 'cinder' });
    expect(Object.keys(f.app.simulators)).toEqual(['cinder']);
    expect(f.app.identity.simulator).toBeNull();
    const r = await f.gql(BOTH, undefined, { token: 'some-token' });
    expect(r.data?.groups?.nodes, r.raw).toHaveLength(1);
    expect(r.data?.shareGroups).toBeNull();
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});
