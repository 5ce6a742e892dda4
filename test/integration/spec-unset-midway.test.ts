// An unset of several group specs that fails midway (one DELETE per key: the first removed, the second refused)
// left the request holding the type as it was read before the removals: a later field of the same mutation
// document showed the removed key again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/index.js';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

const keysOf = (specs: { key: string }[]) => specs.map((s) => s.key).sort();

describe('a spec unset that fails midway', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila' });
  });
  afterAll(() => f.close());

  it('Cinder: a later field of the document sees the key it removed gone', async () => {
    const type = SEED.groupTypes.generic;
    await f.ok(`mutation { setGroupTypeSpecs(input: { id: "${type}", specs: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }) { groupType { id } } }`);
    f.app.simulators.cinder!.injectFault({ status: 500, methods: ['DELETE'], urlIncludes: '/group_specs/b' });
    const r = await f.gql(`mutation {
      unset: unsetGroupTypeSpecs(input: { id: "${type}", keys: ["a", "b"] }) { groupType { id } }
      later: updateGroup(input: { id: "${SEED.groups.analyticsScratch}", description: "x" }) { group { groupType { groupSpecs { key } } } }
    }`);
    expect(r.errors?.map((e) => e.path?.[0])).toEqual(['unset']);
    expect(r.errors?.[0]?.message).toMatch(/already removed: a/);
    expect(keysOf(r.data?.later.group.groupType.groupSpecs)).not.toContain('a');
    expect(keysOf(r.data?.later.group.groupType.groupSpecs)).toContain('b');
  });

  it('Manila: likewise', async () => {
    const type = SEED_IDS.shareGroupTypes.default;
    await f.ok(`mutation { setShareGroupTypeSpecs(input: { id: "${type}", specs: [{ key: "a", value: "1" }, { key: "b", value: "2" }] }) { shareGroupType { id } } }`);
    f.app.simulators.manila!.injectFault({ status: 500, methods: ['DELETE'], urlIncludes: '/group-specs/b' });
    const r = await f.gql(`mutation {
      unset: unsetShareGroupTypeSpecs(input: { id: "${type}", keys: ["a", "b"] }) { shareGroupType { id } }
      later: updateShareGroup(input: { id: "${SEED_IDS.shareGroups.dbCluster}", description: "x" }) { shareGroup { shareGroupType { groupSpecs { key } } } }
    }`);
    expect(r.errors?.map((e) => e.path?.[0])).toEqual(['unset']);
    expect(keysOf(r.data?.later.shareGroup.shareGroupType.groupSpecs)).not.toContain('a');
    expect(keysOf(r.data?.later.shareGroup.shareGroupType.groupSpecs)).toContain('b');
  });
});
