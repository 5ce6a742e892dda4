// A cursor whose item id (or group scope) is spelled in upper case. This API hands out ids as the upstreams write
// them, lower-case UUIDs, so such a cursor is forged or mangled. It used to pass the check: Cinder answered 404 for
// the marker, and the page restarted at the cursor's position, repeating the cursor's own item. It is refused now,
// before any upstream call, like any other cursor this API did not hand out.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loopLoad } from '../../src/upstreams/roundTrips.js';
import { type Facade, type GqlResult, startFacade } from '../helpers/facade.js';

const dec = (c: string) => Buffer.from(c, 'base64url').toString('utf8');
const enc = (s: string) => Buffer.from(s).toString('base64url');
/** The cursor with its UUIDs (the item id, and the group scope if any) in upper case. */
const upper = (c: string) => enc(dec(c).replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, (id) => id.toUpperCase()));
const ids = (c: { nodes: { id: string }[] }) => c.nodes.map((n) => n.id);

function codeOf(r: GqlResult): string {
  expect(r.errors, r.raw).toBeDefined();
  return r.errors![0]!.extensions?.code;
}

describe('a cursor with an upper-case id', () => {
  let f: Facade;
  const busy = vi.spyOn(loopLoad, 'busy').mockReturnValue(0);
  const sims = () => Object.values(f.app.simulators).filter((s) => s !== undefined);
  const resetCalls = () => sims().forEach((s) => s.resetCalls());
  const calls = () => sims().flatMap((s) => s.calls);

  beforeAll(async () => {
    f = await startFacade(
      { SIMULATE: 'cinder,manila,sdrs' },
      { cinder: { extraGroups: 12 }, manila: { extraShareGroups: 12 }, sdrs: { extraGroups: 12 } },
    );
    await f.ok('{ groups(first: 1) { nodes { id } } }'); // version discovery happens once per process
  });
  afterAll(async () => {
    busy.mockRestore();
    await f.close();
  });

  /** Page 1 of `field`, then the page after its endCursor with the id upper-cased: refused, no upstream call. */
  async function refused(field: string, args = '') {
    const q = `query($a: String) { c: ${field}(first: 3, after: $a${args}) { pageInfo { endCursor } nodes { id } } }`;
    const p1 = await f.ok<any>(q);
    const cursor: string = p1.c.pageInfo.endCursor;
    expect(dec(cursor)).toMatch(/[0-9a-f]{8}-/); // the id is there to upper-case
    expect(ids(p1.c).every((id) => id === id.toLowerCase()), 'the upstream ids are lower case').toBe(true);
    resetCalls();
    const r = await f.gql<any>(q, { a: upper(cursor) });
    // Before the fix a Cinder page came back starting with page 1's last item again.
    expect(r.data?.c ? ids(r.data.c) : null, r.raw).toBeNull();
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
    // The cursor as handed out still pages.
    const p2 = await f.ok<any>(q, { a: cursor });
    expect(ids(p2.c)).not.toContain(ids(p1.c)[2]);
  }

  it('Cinder groups (by marker, k:)', () => refused('groups'));
  it('Cinder groups sorted by name (by offset, p:)', () => refused('groups', ', sort: { key: NAME, direction: ASC }'));
  it('Cinder volumes', () => refused('volumes'));
  it('Manila share groups (o:)', () => refused('shareGroups'));
  it('SDRS protection groups (o:)', () => refused('protectionGroups'));

  it("a group snapshot cursor's group scope in upper case", async () => {
    const group = (await f.ok<any>('{ groups(first: 1) { nodes { id } } }')).groups.nodes[0].id;
    const q = `query($id: ID!, $a: String) { group(id: $id) { snapshots(first: 1, after: $a) {
      pageInfo { endCursor } nodes { id } } } }`;
    const p1 = await f.ok<any>(q, { id: group });
    const cursor: string | null = p1.group.snapshots.pageInfo.endCursor;
    expect(cursor, 'the simulator has a snapshot of the first group').not.toBeNull();
    const [form, kind, at, id, scope] = dec(cursor!).split(':');
    expect(scope).toBe(group);
    resetCalls();
    const r = await f.gql(q, { id: group, a: enc([form, kind, at, id, scope!.toUpperCase()].join(':')) });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(calls().filter((c) => c.path.includes('group_snapshots'))).toEqual([]);
  });

  it('the old marker form (m:) in upper case', async () => {
    const p1 = await f.ok<any>('{ c: groups(first: 3) { nodes { id } } }');
    resetCalls();
    const r = await f.gql('query($a: String) { c: groups(first: 3, after: $a) { nodes { id } } }', {
      a: enc(`m:${ids(p1.c)[2]!.toUpperCase()}`),
    });
    expect(codeOf(r)).toBe('BAD_USER_INPUT');
    expect(calls()).toEqual([]);
  });
});
