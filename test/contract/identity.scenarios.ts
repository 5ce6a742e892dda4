// Issue 16: one facade for every project, behind Keystone. The same scenarios run on the simulators (npm test)
// and on real Keystone, Cinder and Manila (npm run test:openstack): isolation between projects, roles, admins
// across projects, refusals before any upstream call, and the caller's own token on every call.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CINDER_SCREEN, MANILA_SCREEN } from '../../bench/queries.js';
import type { Facade } from '../helpers/facade.js';

export type UserKey = 'alphaMember' | 'alphaReader' | 'betaMember' | 'admin';

export interface TargetUser {
  token: string;
  name: string;
  projectId: string;
  projectName: string;
  /** Roles the token must list (Keystone adds implied ones: an admin is also member and reader). */
  roles: string[];
}

/** One upstream call as the target saw it arrive. */
export interface SeenCall {
  service: 'cinder' | 'manila';
  method: string;
  path: string;
  token: string | undefined;
}

export interface IdentityTarget {
  kind: 'simulator' | 'real';
  /** A facade with Keystone required; no default token. */
  facade: Facade;
  users: Record<UserKey, TargetUser>;
  /** Types every project may use (made by an admin as fixtures). */
  types: { groupTypeId: string; volumeTypeId: string; shareGroupTypeId: string; shareTypeId: string };
  upstreamCalls(): SeenCall[];
  keystoneCalls(): number;
  /** Another facade on the same Keystone and services, with `env` added; `keystoneCalls`: the validations it sent. */
  facadeWith(env: Record<string, string>): Promise<{ facade: Facade; keystoneCalls(): number }>;
  resetCalls(): void;
  close(): Promise<void>;
}

export function identityScenarios(label: string, makeTarget: () => Promise<IdentityTarget>): void {
  describe(`Keystone identity scenarios (${label})`, () => {
    let t: IdentityTarget;
    const tag = `gg-${randomUUID().slice(0, 8)}`;
    // Both projects' fixtures carry this one name, so a listing filtered by it answered with the other's token
    // would name the other project's objects; and it stays a one-object listing however many the projects hold.
    const fixtureName = `${tag}-in-both`;
    const made: Record<'alpha' | 'beta', { groupId: string; shareGroupId: string }> = {} as never;
    const printed: string[] = [];
    const keystoneTrips = { cold: -1, warm: -1 };
    const restore: (() => void)[] = [];

    const as = (user: UserKey) => ({ token: t.users[user].token });
    const gql = (user: UserKey | null, query: string, variables?: Record<string, unknown>) =>
      t.facade.gql<any>(query, variables, { token: user ? t.users[user].token : null });
    const ok = (user: UserKey, query: string, variables?: Record<string, unknown>) => t.facade.ok<any>(query, variables, as(user));
    const storageCalls = () => t.upstreamCalls().length;

    async function makeFor(user: UserKey, project: 'alpha' | 'beta'): Promise<void> {
      const { types } = t;
      const group = await ok(user, `mutation($i: CreateGroupInput!) { createGroup(input: $i) { group { id name } } }`, {
        i: { groupTypeId: types.groupTypeId, volumeTypeIds: [types.volumeTypeId], name: fixtureName },
      });
      const shareGroup = await ok(user, `mutation($i: CreateShareGroupInput!) { createShareGroup(input: $i) { shareGroup { id name } } }`, {
        i: { shareGroupTypeId: types.shareGroupTypeId, shareTypeIds: [types.shareTypeId], name: fixtureName },
      });
      made[project] = { groupId: group.createGroup.group.id, shareGroupId: shareGroup.createShareGroup.shareGroup.id };
    }

    beforeAll(async () => {
      // Everything the facade prints while these scenarios run: no token may ever appear in it.
      for (const stream of [process.stdout, process.stderr]) {
        const write = stream.write.bind(stream);
        stream.write = ((chunk: unknown, ...rest: unknown[]) => {
          printed.push(String(chunk));
          return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
        }) as typeof stream.write;
        restore.push(() => (stream.write = write));
      }
      t = await makeTarget();
      // Keystone round trips of a token this facade has not seen, then of the same token again.
      let before = t.keystoneCalls();
      await ok('alphaMember', `{ viewer { user { name } } }`);
      keystoneTrips.cold = t.keystoneCalls() - before;
      before = t.keystoneCalls();
      for (let i = 0; i < 5; i++) await ok('alphaMember', `{ viewer { user { name } } }`);
      keystoneTrips.warm = t.keystoneCalls() - before;
      await makeFor('alphaMember', 'alpha');
      await makeFor('betaMember', 'beta');
    });
    afterAll(async () => {
      restore.forEach((r) => r());
      await t?.close();
    });

    it('viewer says who each caller is and which endpoints serve it', async () => {
      for (const key of ['alphaMember', 'alphaReader', 'betaMember', 'admin'] as UserKey[]) {
        const u = t.users[key];
        const { viewer } = await ok(key, `{ viewer { user { id name domain } project { id name } roles expiresAt services { name mode endpoint } } }`);
        expect(viewer.user.name).toBe(u.name);
        expect(viewer.project).toEqual({ id: u.projectId, name: u.projectName });
        expect(viewer.roles).toEqual(expect.arrayContaining(u.roles));
        expect(Date.parse(viewer.expiresAt)).toBeGreaterThan(Date.now());
        const cinder = viewer.services.find((s: { name: string }) => s.name === 'cinder');
        expect(cinder.endpoint).toContain(u.projectId);
      }
    });

    it("each project sees its own groups and share groups, never the other's", async () => {
      for (const [user, own, other] of [['alphaMember', 'alpha', 'beta'], ['betaMember', 'beta', 'alpha']] as const) {
        const groups = (await ok(user, `{ groups(first: 1000) { nodes { id } } shareGroups(first: 1000) { nodes { id } } }`));
        const groupIds = groups.groups.nodes.map((g: { id: string }) => g.id);
        const shareGroupIds = groups.shareGroups.nodes.map((g: { id: string }) => g.id);
        expect(groupIds).toContain(made[own].groupId);
        expect(groupIds).not.toContain(made[other].groupId);
        expect(shareGroupIds).toContain(made[own].shareGroupId);
        expect(shareGroupIds).not.toContain(made[other].shareGroupId);
      }
    });

    it("another project's group or share group by id is null", async () => {
      const r = await ok('alphaMember', `query($g: ID!, $s: ID!) { group(id: $g) { id } shareGroup(id: $s) { id } }`, {
        g: made.beta.groupId,
        s: made.beta.shareGroupId,
      });
      expect(r).toEqual({ group: null, shareGroup: null });
    });

    it("a reader's write is FORBIDDEN and changes nothing; a member's works", async () => {
      const id = made.alpha.groupId;
      const refused = await gql('alphaReader', `mutation($id: ID!) { updateGroup(input: { id: $id, name: "${tag}-renamed" }) { group { id } } }`, { id });
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(refused.errors?.[0]?.message).toMatch(/[Pp]olicy|denied/);
      // Cinder's create_from_src answers its policy refusal as a 400: FORBIDDEN all the same.
      const cloned = await gql('alphaReader', `mutation($id: ID!) { createGroupFromSource(input: { sourceGroupId: $id, name: "${tag}-clone" }) { id } }`, { id });
      expect(cloned.errors?.[0]?.extensions?.code, JSON.stringify(cloned.errors)).toBe('FORBIDDEN');
      expect((await ok('alphaMember', `query($id: ID!) { group(id: $id) { name } }`, { id })).group.name).toBe(fixtureName);
      const renamed = await ok('alphaMember', `mutation($id: ID!) { updateGroup(input: { id: $id, description: "${tag}" }) { group { id description } } }`, { id });
      expect(renamed.updateGroup.group.description).toBe(tag);
    });

    it("an admin's allProjects lists both projects with their project; a member's is FORBIDDEN before any call", async () => {
      const all = await ok('admin', `{ groups(first: 1000, allProjects: true) { nodes { id projectId project { id name } } } shareGroups(first: 1000, allProjects: true) { nodes { id projectId } } }`);
      const byId = new Map(all.groups.nodes.map((g: { id: string }) => [g.id, g]));
      expect(byId.get(made.alpha.groupId)).toMatchObject({ projectId: t.users.alphaMember.projectId, project: { id: t.users.alphaMember.projectId, name: t.users.alphaMember.projectName } });
      expect(byId.get(made.beta.groupId)).toMatchObject({ projectId: t.users.betaMember.projectId, project: { name: t.users.betaMember.projectName } });
      const shareIds = all.shareGroups.nodes.map((g: { id: string }) => g.id);
      expect(shareIds).toEqual(expect.arrayContaining([made.alpha.shareGroupId, made.beta.shareGroupId]));
      t.resetCalls();
      const refused = await gql('alphaMember', `{ groups(allProjects: true) { nodes { id } } }`);
      expect(refused.status).toBe(403);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(storageCalls()).toBe(0);
    });

    it('no token, or one Keystone refuses, is UNAUTHENTICATED at zero Cinder and Manila calls', async () => {
      t.resetCalls();
      const none = await gql(null, `{ groups { nodes { id } } }`);
      expect(none.status).toBe(401);
      expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const bogus = await t.facade.gql<any>(`{ groups { nodes { id } } shareGroups { nodes { id } } }`, undefined, { token: `gAAAA-bogus-${tag}` });
      expect(bogus.status).toBe(401);
      expect(bogus.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(storageCalls()).toBe(0);
    });

    it("400 interleaved requests of two projects: none answered with the other's data, each call with its caller's token", async () => {
      t.resetCalls();
      const users: UserKey[] = ['alphaMember', 'betaMember'];
      // 10 in flight at a time, alternating tokens. Filtered by the fixtures' shared name, each answer is one group
      // and one share group whatever else the projects hold (the whole listing at Cinder's one API worker took
      // ~180 ms per call for 53 groups: 400 of them over a minute).
      const query = `query($n: String) { viewer { project { id } } groups(first: 100, filter: { name: $n }) { nodes { id } } shareGroups(first: 100, filter: { name: $n }) { nodes { id } } }`;
      const answers: { user: UserKey; r: any }[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let i = next++; i < 400; i = next++) {
            const user = users[i % 2]!;
            answers.push({ user, r: await ok(user, query, { n: fixtureName }) });
          }
        }),
      );
      expect(answers).toHaveLength(400);
      for (const { user, r } of answers) {
        const own = user === 'alphaMember' ? made.alpha : made.beta;
        expect(r.viewer.project.id).toBe(t.users[user].projectId);
        expect([...r.groups.nodes, ...r.shareGroups.nodes].map((g: { id: string }) => g.id)).toEqual([own.groupId, own.shareGroupId]);
      }
      const calls = t.upstreamCalls();
      expect(calls.length).toBeGreaterThan(0);
      const projectOfToken = new Map(users.map((u) => [t.users[u].token, t.users[u].projectId]));
      for (const c of calls) {
        expect(projectOfToken.has(c.token ?? ''), `${c.method} ${c.path} carried a token of neither caller`).toBe(true);
        // Version discovery reads the service root, which names no project.
        if (/\/v[23]\/[0-9a-f]{32}/.test(c.path)) expect(c.path).toContain(projectOfToken.get(c.token!));
      }
    });

    it('a new token costs one Keystone call; five more requests with it cost none', () => {
      expect(keystoneTrips).toEqual({ cold: 1, warm: 0 });
    });

    it.each([
      ['the Cinder screen', CINDER_SCREEN],
      ['the Manila screen', MANILA_SCREEN],
      ['group snapshots by status and name', `{ groupSnapshots(filter: { status: AVAILABLE, name: "x" }) { nodes { id } } }`],
      ['share groups filtered and sorted', `{ shareGroups(filter: { status: AVAILABLE, nameContains: "gg" }, sort: { key: NAME }) { nodes { id project { name } } } }`],
    ])("a member's %s draws no refusal from Cinder or Manila (no admin-only filter or field is sent)", async (_, query) => {
      const r = await gql('alphaMember', query, { n: 10 });
      expect(r.errors, r.raw).toBeUndefined();
    });

    it('made-up tokens from one address cost Keystone its share of validations (MAX_REFUSED_TOKENS_PER_CLIENT), then 429 at no call; an accepted token is still answered', async () => {
      const other = await t.facadeWith({ MAX_REFUSED_TOKENS_PER_CLIENT: '3' });
      try {
        const viewer = `{ viewer { user { name } } }`;
        await other.facade.ok(viewer, undefined, as('alphaMember')); // accepted before the flood
        const before = other.keystoneCalls();
        const codes: unknown[] = [];
        for (let i = 0; i < 6; i++) {
          const r = await other.facade.gql<any>(viewer, undefined, { token: `gAAAA-made-up-${tag}-${i}` });
          codes.push(`${r.status} ${r.errors?.[0]?.extensions?.code}`);
        }
        expect(codes).toEqual([...Array(3).fill('401 UNAUTHENTICATED'), ...Array(3).fill('429 TOO_MANY_REFUSED_TOKENS')]);
        expect(other.keystoneCalls() - before).toBe(3);
        expect((await other.facade.ok<any>(viewer, undefined, as('alphaMember'))).viewer.user.name).toBe(t.users.alphaMember.name);
      } finally {
        await other.facade.close();
      }
    });

    it('no token appears in what the facade printed', () => {
      const out = printed.join('');
      for (const u of Object.values(t.users)) expect(out).not.toContain(u.token);
    });
  });
}
