// Cinder reads volume filter values as Python literals (VolumeAPI.check_volume_filters: ast.literal_eval, all
// but the name): `status: "1"` reached PostgreSQL as an integer (Cinder's 500, and three tokens of one member
// then opened Cinder's circuit for every project), and a list literal became an IN. A value is the text given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'cinder', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
});
afterAll(() => f.close());

const count = async (filter: Record<string, string>) => {
  const r = await f.gql('query($f: VolumeFilter) { volumes(filter: $f) { totalCount } }', { f: filter });
  expect(r.errors, JSON.stringify(filter)).toBeUndefined();
  return r.data!.volumes.totalCount as number;
};

describe('volume filters Cinder would evaluate', () => {
  it('are matched as the text given: no 500, no IN', async () => {
    expect(await count({ status: 'available' })).toBeGreaterThan(0);
    for (const status of ['1', '-2.5', 'True', 'False', '1e3', "'available'", '"available"', "['available', 'in-use']", "('available',)"]) {
      expect(await count({ status }), status).toBe(0);
    }
    expect(await count({ availabilityZone: '1' })).toBe(0);
    expect(await count({ availabilityZone: 'nova' })).toBeGreaterThan(0);
  });

  it('sends a value Cinder would evaluate as a quoted Python string, and a plain one as it is', async () => {
    const sim = f.app.simulators.cinder!;
    sim.resetCalls();
    await count({ status: "it's 1" });
    await count({ status: 'in-use' });
    const sent = sim.calls.filter((c) => c.url.includes('/volumes')).map((c) => new URL(c.url, 'http://x').searchParams.get('status'));
    expect(sent).toEqual(["'it\\'s 1'", 'in-use']);
  });
});
