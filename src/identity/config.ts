/** How callers are identified: KEYSTONE_* settings (README, "Against a real cloud with Keystone"). */
export type IdentityMode =
  /** No Keystone: each caller's token goes upstream as it is, and the endpoints are the configured ones. */
  | { kind: 'none' }
  /**
   * Every request's token is validated by Keystone (KEYSTONE_URL, or the built-in Keystone simulator) and its
   * catalog gives the endpoints. `required: false` (demo mode): a request with no token, or with a token that is
   * not a simulated `role:project` one, is served as the demo admin, as before Keystone.
   */
  | { kind: 'keystone'; url: string | 'simulated'; required: boolean; interface: string; region: string | null; cacheMs: number };

export const PROJECT_TEMPLATE = '{project_id}';

/**
 * How Keystone's catalog (and so `openstack endpoint list`) writes the project in an endpoint URL: operators copy
 * these into *_URL, and they mean exactly {project_id}.
 */
const CATALOG_SPELLINGS = /[%$]\((?:project_id|tenant_id)\)s/g;
/** Any other Keystone endpoint substitution (`%(user_id)s`): nothing the facade can fill. */
const ANY_SUBSTITUTION = /[%$]\([^)]*\)s/;

/** A *_URL with the catalog's spellings of the project written as {project_id}; `unknown`: a substitution it cannot fill. */
export function withProjectTemplate(raw: string): { url: string } | { unknown: string } {
  const url = raw.replace(CATALOG_SPELLINGS, PROJECT_TEMPLATE);
  const other = ANY_SUBSTITUTION.exec(url);
  return other ? { unknown: other[0] } : { url };
}

/** How the setting wrote its project placeholder, for a message that quotes the operator's own spelling. */
export function projectSpellingIn(raw: string): string {
  return raw.match(CATALOG_SPELLINGS)?.[0] ?? PROJECT_TEMPLATE;
}

export interface IdentityEnv {
  KEYSTONE_URL?: string;
  KEYSTONE_INTERFACE?: string;
  KEYSTONE_REGION?: string;
  KEYSTONE_CACHE_SECONDS?: string;
}

/** Thrown as a ConfigError by the caller (config.ts), which owns that class. */
export type Problem = (message: string) => Error;

/**
 * The facade calls `…/v3/auth/tokens` below KEYSTONE_URL: anything but the v3 endpoint (devstack's `/identity`, a
 * bare host) would have every valid token refused, so it stops start-up instead.
 */
function identityV3(url: string, problem: Problem): string {
  if (new URL(url).pathname.replace(/\/+$/, '').endsWith('/v3')) return url;
  throw problem(`KEYSTONE_URL must be Keystone's identity v3 endpoint, ending in /v3 (e.g. http://127.0.0.1:5000/v3, or devstack's http://<host>/identity/v3), got ${JSON.stringify(url)}`);
}

/**
 * KEYSTONE_URL (validated like the service URLs by `parseUrl`), KEYSTONE_INTERFACE (public, internal or admin;
 * default public), KEYSTONE_REGION (default none: a catalog with several regions for a service is then refused
 * for it, never picked from) and KEYSTONE_CACHE_SECONDS (default 60). `simulated`: SIMULATE names keystone, or
 * demo mode (`required` false).
 */
export function parseIdentity(
  env: IdentityEnv,
  parseUrl: (name: string, raw: string) => string,
  simulated: 'required' | 'demo' | null,
  problem: Problem,
): IdentityMode {
  const raw = env.KEYSTONE_URL?.trim();
  if (raw && simulated === 'required') throw problem('KEYSTONE_URL is set and SIMULATE names keystone; choose one');
  if (!raw && simulated === null) return { kind: 'none' };
  const placeholder = raw && (raw.includes(PROJECT_TEMPLATE) ? PROJECT_TEMPLATE : ANY_SUBSTITUTION.exec(raw)?.[0]);
  if (placeholder) {
    // One Keystone validates every caller's token: there is no project to fill in before the token is read.
    throw problem(`KEYSTONE_URL must not hold ${placeholder}: it is the one identity endpoint for every project, e.g. http://127.0.0.1:5000/v3`);
  }
  const iface = (env.KEYSTONE_INTERFACE?.trim() || 'public').toLowerCase();
  if (!['public', 'internal', 'admin'].includes(iface)) {
    throw problem(`KEYSTONE_INTERFACE must be public, internal or admin, got ${JSON.stringify(env.KEYSTONE_INTERFACE)}`);
  }
  const seconds = env.KEYSTONE_CACHE_SECONDS?.trim() || '60';
  if (!/^\d+$/.test(seconds)) throw problem(`KEYSTONE_CACHE_SECONDS must be a whole number of seconds, got ${JSON.stringify(seconds)}`);
  return {
    kind: 'keystone',
    url: raw ? identityV3(parseUrl('KEYSTONE_URL', raw), problem) : 'simulated',
    required: simulated !== 'demo',
    interface: iface,
    region: env.KEYSTONE_REGION?.trim() || null,
    cacheMs: Number(seconds) * 1000,
  };
}
