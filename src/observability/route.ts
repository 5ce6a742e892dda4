/**
 * Path segments the facade's clients write themselves (src/upstreams/*\/client.ts, src/identity/keystone.ts).
 * Anything else in a path is an id or a caller's value and becomes `{id}`: metric labels and span names stay a
 * bounded set of templates such as `/groups/{id}/action`, whatever ids callers send. A new literal segment that
 * is not listed here shows as `{id}` (still bounded) until it is added.
 */
const LITERALS = new Set([
  'access',
  'action',
  'auth',
  'availability-zones',
  'cgsnapshots',
  'consistency-groups',
  'default',
  'detail',
  'disaster-recovery-drills',
  'extra_specs',
  'group-specs',
  'group_snapshots',
  'group_specs',
  'group_types',
  'groups',
  'jobs',
  'members',
  'os-availability-zone',
  'os-quota-sets',
  'projects',
  'protected-instances',
  'quota-sets',
  'replications',
  'server-groups',
  'share-group-snapshots',
  'share-group-types',
  'share-groups',
  'share-networks',
  'share_group_type_access',
  'shares',
  'snapshots',
  'tokens',
  'types',
  'volumes',
]);

/**
 * A version segment of a version-document URL (the service root's /v3, /v2.0): a few values, kept as they are,
 * but only as the first segment: further in, a caller's spec key or an upstream's id may look like one.
 */
const VERSION = /^v\d+(\.\d+)?$/;

/**
 * The route template of an upstream call: its path below the endpoint (so never the endpoint's project segment),
 * without the query string, ids replaced by `{id}`.
 */
export function routeTemplate(path: string): string {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  // The same few paths come back call after call: the template made once is the same string object every time,
  // so the metrics and span lookups keyed by it do not hash a freshly built string per call.
  let template = known.get(bare);
  if (template === undefined) {
    if (known.size >= MAX_KNOWN_PATHS) known.clear();
    template = templateOf(bare);
    known.set(bare, template);
  }
  return template;
}

// Paths with ids are many; the cache starts over rather than grow past this.
const MAX_KNOWN_PATHS = 1_000;
const known = new Map<string, string>();

function templateOf(bare: string): string {
  if (bare === '' || bare === '/') return '/';
  let out = '';
  for (const segment of bare.split('/')) {
    if (segment === '') continue;
    out += `/${LITERALS.has(segment) || (out === '' && VERSION.test(segment)) ? segment : '{id}'}`;
  }
  return out || '/';
}
