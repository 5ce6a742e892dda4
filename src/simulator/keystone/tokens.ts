// Tokens of the Keystone simulator. A token is the string `role:project` (admin, member or reader of a known
// project), the same form the Cinder, Manila and SDRS simulators read, so one string works end to end. It is
// "issued" the first time the simulator sees it and expires a lifetime later; a revoked or expired token, or any
// other string, is unknown (404 when validated, 401 when presented as X-Auth-Token).
import { createHash } from 'node:crypto';
import { IMPLIED_ROLES, type Role, type SimProject, parseRoleToken, simUserId } from '../identity.js';
import { type CatalogRegion, catalogFor } from './catalog.js';
import { isotime } from './wire.js';

/** Tokens remembered as issued; the oldest is forgotten past this (and counts as new if it comes back). */
const MAX_ISSUED = 10_000;
export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' } as const;

/** Role ids as `keystone-manage bootstrap` would have made them (random there, fixed here). */
export const ROLE_IDS: Record<Role, string> = {
  admin: 'f1a2b3c4d5e6471890a1b2c3d4e5f601',
  member: 'f1a2b3c4d5e6471890a1b2c3d4e5f602',
  reader: 'f1a2b3c4d5e6471890a1b2c3d4e5f603',
};

export interface ValidToken {
  token: string;
  role: Role;
  project: SimProject;
  userId: string;
  issuedAt: number;
  expiresAt: number;
}

export class KeystoneState {
  readonly projects = new Map<string, SimProject>();
  private readonly issued = new Map<string, number>();
  private readonly revoked = new Set<string>();

  constructor(
    projects: SimProject[],
    readonly tokenLifetimeMs: number,
    readonly regions: CatalogRegion[],
  ) {
    for (const p of projects) this.projects.set(p.id, p);
  }

  /** The token, if it names a role of a known project and is neither expired nor revoked. */
  validate(token: string | undefined, now: number = Date.now()): ValidToken | undefined {
    const parsed = parseRoleToken(token);
    const project = parsed && this.projects.get(parsed.projectId);
    if (!parsed || !project || this.revoked.has(token as string)) return undefined;
    let issuedAt = this.issued.get(token as string);
    if (issuedAt === undefined) {
      issuedAt = now;
      // Bounded: the simulator runs inside a demo facade, and any client can make up new tokens.
      if (this.issued.size >= MAX_ISSUED) this.issued.delete(this.issued.keys().next().value!);
      this.issued.set(token as string, now);
    }
    const expiresAt = issuedAt + this.tokenLifetimeMs;
    if (now >= expiresAt) return undefined;
    return { token: token as string, role: parsed.role, project, userId: simUserId(parsed.role, project.id), issuedAt, expiresAt };
  }

  /** `DELETE /v3/auth/tokens` in effect: the token is unknown from now on. */
  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** Forget when tokens were first seen, so the next validation issues them afresh. */
  resetTokens(): void {
    this.issued.clear();
    this.revoked.clear();
  }
}

/** render_token.render_token_response_from_model for a project-scoped password token. */
export function renderToken(state: KeystoneState, t: ValidToken, withCatalog: boolean): unknown {
  const domain = { ...DEFAULT_DOMAIN };
  const token: Record<string, unknown> = {
    methods: ['password'],
    user: { domain, id: t.userId, name: `${t.role}-${t.project.name}`, password_expires_at: null },
    audit_ids: [createHash('sha256').update(`audit:${t.token}:${t.issuedAt}`).digest('base64url').slice(0, 22)],
    expires_at: isotime(t.expiresAt),
    issued_at: isotime(t.issuedAt),
    project: { domain, id: t.project.id, name: t.project.name },
    is_domain: false,
    // The assigned role first, then the ones it implies, as Keystone expands implied roles into the token.
    roles: IMPLIED_ROLES[t.role].map((r) => ({ id: ROLE_IDS[r], name: r })),
  };
  if (withCatalog) token.catalog = catalogFor(state.regions, t.project.id);
  return { token };
}
