// Manila's `name~` / `description~` are `LIKE '%' + value + '%'` with nothing escaped: against real Manila
// `nameContains: "sg_"` matched sg-b, sg-e… and `"%"` every named group. The facade promises "containing this
// text", so `%`, `_` and `\` go escaped; share networks are matched in Python (a plain substring) and go as given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_IDS } from '../../src/simulator/manila/index.js';
import { type Facade, startFacade } from '../helpers/facade.js';

let f: Facade;
const GROUPS = ['sg_a', 'sg-b', 'sgXc', '50%off', 'back\\slash', 'backslash'];
const SHARES = ['sh_a', 'sh-b', '10%more'];

beforeAll(async () => {
  f = await startFacade({ SIMULATE: 'manila', SDRS_URL: 'http://127.0.0.1:9/v1/x' });
  for (const name of GROUPS) {
    await f.ok('mutation($n: String, $t: ID!) { createShareGroup(input: { name: $n, description: $n, shareTypeIds: [$t] }) { id } }', {
      n: name,
      t: SEED_IDS.shareTypes.defaultNfs,
    });
  }
  for (const name of SHARES) {
    await f.ok('mutation($n: String) { createShare(input: { name: $n, size: 1, shareProtocol: NFS }) { id } }', { n: name });
  }
});
afterAll(() => f.close());

const groupNames = async (filter: Record<string, string>) => {
  const d = await f.ok<any>('query($f: ShareGroupFilter) { shareGroups(first: 100, filter: $f) { nodes { name } } }', { f: filter });
  return d.shareGroups.nodes.map((g: { name: string }) => g.name).sort();
};
const shareNames = async (filter: Record<string, string>) => {
  const d = await f.ok<any>('query($f: ShareFilter) { shares(first: 100, filter: $f) { nodes { name } } }', { f: filter });
  return d.shares.nodes.map((s: { name: string }) => s.name).sort();
};

describe('Manila contains-filters match the text given', () => {
  it('share groups: _, % and \\ are literal in nameContains and descriptionContains', async () => {
    expect(await groupNames({ nameContains: 'sg_' })).toEqual(['sg_a']);
    expect(await groupNames({ nameContains: '%' })).toEqual(['50%off']);
    expect(await groupNames({ nameContains: 'k\\s' })).toEqual(['back\\slash']);
    expect(await groupNames({ descriptionContains: 'sg_' })).toEqual(['sg_a']);
    expect(await groupNames({ nameContains: 'sg' })).toEqual(['sg-b', 'sgXc', 'sg_a']);
  });

  it('shares: _ and % are literal too', async () => {
    expect(await shareNames({ nameContains: 'sh_' })).toEqual(['sh_a']);
    expect(await shareNames({ nameContains: '%' })).toEqual(['10%more']);
    expect(await shareNames({ descriptionContains: '_' })).toEqual([]);
  });

  it('share networks (a Python substring in Manila) take the text as it is', async () => {
    const sim = f.app.simulators.manila!;
    sim.resetCalls();
    await f.ok('{ shareNetworks(filter: { nameContains: "a_b%" }) { id } }');
    const sent = sim.calls.filter((c) => c.url.includes('/share-networks')).map((c) => new URL(c.url, 'http://x').searchParams.get('name~'));
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent)).toEqual(new Set(['a_b%']));
  });
});

describe('unsetShareGroupTypeSpecs of a key the type does not have', () => {
  it('is NOT_FOUND, as unsetGroupTypeSpecs is for Cinder, and removes nothing', async () => {
    const made = await f.ok<any>('mutation($t: [ID!]!) { createShareGroupType(input: { name: "specs-probe", shareTypeIds: $t, groupSpecs: [{ key: "a", value: "1" }] }) { shareGroupType { id } } }', {
      t: [SEED_IDS.shareTypes.defaultNfs],
    });
    const id = made.createShareGroupType.shareGroupType.id;
    const sim = f.app.simulators.manila!;
    sim.resetCalls();
    const r = await f.gql('mutation($id: ID!) { unsetShareGroupTypeSpecs(input: { id: $id, keys: ["a", "nope"] }) { shareGroupType { id } } }', { id });
    expect(r.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(r.errors?.[0]?.message).toBe(`Share group type ${id} has no group spec nope; nothing was removed.`);
    expect(sim.calls.filter((c) => c.method === 'DELETE')).toEqual([]);
  });
});
