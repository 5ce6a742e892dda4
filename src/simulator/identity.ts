// Who a request to a simulator acts as. Real Cinder and Manila learn this from keystonemiddleware (or, with
// `noauth`, from an X-Auth-Token of the form `user:project`); the simulators read it from the token itself:
// `admin:<project>`, `member:<project>` or `reader:<project>`. Any other token (or none) keeps the simulators'
// old behaviour: an admin of the project in the URL, so tests and benchmarks written before projects existed
// still see what they always saw.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type Role = 'admin' | 'member' | 'reader';

/** A project the Keystone simulator knows, and the seeded ones every simulator starts with. */
export interface SimProject {
  id: string;
  name: string;
}

/** Where every simulator's example data lives (DEFAULT_PROJECT_ID of Cinder, Manila and SDRS). */
export const DEMO_PROJECT: SimProject = { id: '8a1f2c3d4e5f40718293a4b5c6d7e8f9', name: 'demo' };
/** A second project, empty until a test creates something in it. */
export const BETA_PROJECT: SimProject = { id: '5b1e3c7d9f0a4b2c8d6e4f1a3b5c7d9e', name: 'beta' };

/** Keystone's default roles after `keystone-manage bootstrap`: admin implies member, member implies reader. */
export const IMPLIED_ROLES: Record<Role, readonly Role[]> = {
  admin: ['admin', 'member', 'reader'],
  member: ['member', 'reader'],
  reader: ['reader'],
};

export interface Caller {
  /** `context.project_id`: the token's project, or the URL's for a token that names none. */
  projectId: string;
  userId: string;
  /** Effective roles, implied ones included, as a validated Keystone token lists them. */
  roles: readonly Role[];
  /** `context.is_admin`: Cinder and Manila both derive it from `role:admin` (policy `context_is_admin`). */
  isAdmin: boolean;
  /** true when the token said role and project; such a caller gets 400 for another project's URL. */
  scoped: boolean;
}

/** Project ids in tokens: hex and dashes, as Cinder's `project_id_regex` and Keystone's uuid4().hex ids. */
const ROLE_TOKEN = /^(admin|member|reader):([0-9a-f][0-9a-f-]*)$/;

/** `role:project` → its parts; null for any other token (including `admin:x`, whose `x` is no project id). */
export function parseRoleToken(token: string | undefined): { role: Role; projectId: string } | null {
  const m = token === undefined ? null : ROLE_TOKEN.exec(token.trim());
  return m ? { role: m[1] as Role, projectId: m[2] as string } : null;
}

/** A stable 32-hex user id per role and project, the same in the Keystone simulator and in created rows. */
export function simUserId(role: Role, projectId: string): string {
  return createHash('md5').update(`user:${role}:${projectId}`).digest('hex');
}

/** The old behaviour's user: one admin for every project. */
export const LEGACY_ADMIN_USER_ID = 'c0ffee00d15ea5e0b0a7000000000001';

export function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const v = headers['x-auth-token'];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The caller of one request. `urlProject` is the project segment of the URL (undefined for the project-less
 * routes), `fallbackProject` the simulator's default project.
 */
export function callerOf(headers: IncomingHttpHeaders, urlProject: string | undefined, fallbackProject: string): Caller {
  const parsed = parseRoleToken(tokenOf(headers));
  if (!parsed) {
    return { projectId: urlProject ?? fallbackProject, userId: LEGACY_ADMIN_USER_ID, roles: IMPLIED_ROLES.admin, isAdmin: true, scoped: false };
  }
  return {
    projectId: parsed.projectId,
    userId: simUserId(parsed.role, parsed.projectId),
    roles: IMPLIED_ROLES[parsed.role],
    isAdmin: parsed.role === 'admin',
    scoped: true,
  };
}

export const hasRole = (c: Caller, role: Role): boolean => c.roles.includes(role);
