// Mutation input handling (probe of mutation inputs): spec keys that are names of Object.prototype's members reach
// the upstream as given; a multi-key unset removes nothing when one key is missing and says what it removed when
// a DELETE fails midway; duplicate list entries, blank names and blank or equal SDRS zones are BAD_USER_INPUT; and
// every argument's form is checked before the first upstream read.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEED } from '../../src/simulator/cinder/seed.js';
import { SEED_IDS } from '../../src/simulator/manila/seed.js';
import { SDRS_SIM_DOMAIN } from '../../src/simulator/sdrs/seed.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

let f: Facade;
const sim = (name: 'cinder' | 'manila' | 'sdrs') => f.app.simulators[name]!;
const upstreamCalls = () => Object.values(f.app.simulators).flatMap((s) => s.calls.map((c) => `${c.method} ${c.path}`));

beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());
beforeEach(() => {
  for (const s of Object.values(f.app.simulators)) s.resetCalls();
});

/** The mutation was refused with BAD_USER_INPUT (matching `message`) and not one upstream call, read or write, was made. */
function expectRefused(r: GqlResult, message: RegExp) {
  const context = `body: ${r.raw}`;
  expect(r.errors?.map((e) => e.extensions?.code), context).toEqual(['BAD_USER_INPUT']);
  expect(r.errors?.[0]?.message, context).toMatch(message);
  expect(upstreamCalls(), context).toEqual([]);
}

/** The bodies of the writes one simulator received, as sent. */
const writesTo = (name: 'cinder' | 'manila', method: string) => sim(name).calls.filter((c) => c.method === method).map((c) => c.body);

const ST = SEED_IDS.shareTypes.defaultNfs;
const VT = SEED.volumeTypes.ssdReplicated;

describe('spec keys named like members of Object.prototype reach the upstream as given', () => {
  it('Cinder setGroupTypeSpecs and createGroupType send __proto__ (it was dropped: {"group_specs":{}})', async () => {
    const set = await f.gql('mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }] }) { groupType { id } } }', {
      id: SEED.groupTypes.generic,
    });
    expect(set.errors, set.raw).toBeUndefined();
    expect(writesTo('cinder', 'POST')).toEqual(['{"group_specs":{"__proto__":"x"}}']);
    sim('cinder').resetCalls();
    const made = await f.gql('mutation { createGroupType(input: { name: "proto-gt", groupSpecs: [{ key: "__proto__", value: "x" }, { key: "a", value: "1" }] }) { groupType { id } } }');
    expect(made.errors, made.raw).toBeUndefined();
    expect(JSON.parse(writesTo('cinder', 'POST')[0]!).group_type.group_specs).toEqual(JSON.parse('{"__proto__":"x","a":"1"}'));
  });

  it('Cinder still refuses __proto__ given twice', async () => {
    const r = await f.gql('mutation($id: ID!) { setGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }, { key: "__proto__", value: "y" }] }) { groupType { id } } }', {
      id: SEED.groupTypes.generic,
    });
    expectRefused(r, /twice/);
  });

  it('Manila takes constructor, toString, valueOf and __proto__ (they were "given twice")', async () => {
    const made = await f.gql(
      `mutation($st: ID!) { createShareGroupType(input: { name: "proto-sgt", shareTypeIds: [$st], groupSpecs: [
        { key: "constructor", value: "a" }, { key: "toString", value: "b" }, { key: "valueOf", value: "c" }] }) { shareGroupType { id groupSpecs { key value } } } }`,
      { st: ST },
    );
    expect(made.errors, made.raw).toBeUndefined();
    const type = made.data!.createShareGroupType.shareGroupType;
    expect(type.groupSpecs).toEqual(expect.arrayContaining([{ key: 'constructor', value: 'a' }, { key: 'toString', value: 'b' }, { key: 'valueOf', value: 'c' }]));
    sim('manila').resetCalls();
    const set = await f.gql('mutation($id: ID!) { setShareGroupTypeSpecs(input: { id: $id, specs: [{ key: "__proto__", value: "x" }] }) { shareGroupType { id } } }', {
      id: type.id,
    });
    expect(set.errors, set.raw).toBeUndefined();
    expect(writesTo('manila', 'POST')).toEqual(['{"group_specs":{"__proto__":"x"}}']);
  });
});
