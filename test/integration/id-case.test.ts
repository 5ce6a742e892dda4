// An id argument spelled in upper case. A UUID reads the same in either case, but the upstreams store and compare
// ids as lower-case strings: before, `group(id: "9C4A…")` of an existing group was sent as it came and answered
// null (Cinder's 404), and the same group asked for in both spellings was read twice. Now the facade sends the
// lower-case form, so both spellings find the group, in one call.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { type Facade, startFacade } from '../helpers/facade.js';

describe('an id argument in upper case', () => {
  let f: Facade;
  const sims = () => Object.values(f.app.simulators).filter((s) => s !== undefined);
  const calls = () => sims().flatMap((s) => s.calls.map((c) => `${c.method} ${c.url}`));

  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' });
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery happens once per process
  });
  afterAll(() => f.close());

  it('finds a Cinder group, read once for both spellings, and sends the id in lower case', async () => {
    const id = SEED.groups.dbClusterProd;
    sims().forEach((s) => s.resetCalls());
    const data = await f.ok<any>('query($u: ID!, $l: ID!) { u: group(id: $u) { id name } l: group(id: $l) { id } }', { u: id.toUpperCase(), l: id });
    expect(data.u).toMatchObject({ id });
    expect(data.l).toEqual({ id });
    const groupReads = calls().filter((c) => c.includes(`/groups/`) && !c.includes('group_types'));
    expect(groupReads.some((c) => c.includes(id.toUpperCase()))).toBe(false);
    expect(groupReads.filter((c) => c.includes(id))).toHaveLength(1);
  });

  it('finds a Manila share group', async () => {
    const id = SEED_IDS.shareGroups.dbCluster;
    const data = await f.ok<any>('query($u: ID!) { shareGroup(id: $u) { id } }', { u: id.toUpperCase() });
    expect(data.shareGroup).toEqual({ id });
  });
});
