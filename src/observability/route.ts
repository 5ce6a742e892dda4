/**
 * Path segments the facade's clients write themselves (src/upstreams/*\/client.ts, src/identity/keystone.ts).
 * Anything else in a path is an id or a caller's value and becomes `{id}`: metric labels and span names stay a
 * bounded set of templates such as `/groups/{id}/action`, whatever ids callers send. A new literal segment that
 * is not listed here shows as `{id}` (still bounded) until it is added.
 */
const LITERALS = new Set([
  'action',
  'auth',
  'cgsnapshots',
  'consistency-groups',
  'detail',
  'group_snapshots',
  'group_types',
  'groups',
  'jobs',
  'members',
  'projects',
  'server-groups',
  'share-group-snapshots',
  'share-group-types',
  'share-groups',
  'share-networks',
  'shares',
  'tokens',
  'types',
  'volumes',
]);

/** A version segment of a version-document URL (the service root's /v3, /v2.0): a few values, kept as they are. */
const VERSION = /^v\d+(\.\d+)?$/;

/**
 * The route template of an upstream call: its path below the endpoint (so never the endpoint's project segment),
 * without the query string, ids replaced by `{id}`.
 */
export function routeTemplate(path: string): string {
  const q = path.indexOf('?');
  const bare = q === -1 ? path : path.slice(0, q);
  if (bare === '' || bare === '/') return '/';
  let out = '';
  for (const segment of bare.split('/')) {
    if (segment === '') continue;
    out += `/${LITERALS.has(segment) || VERSION.test(segment) ? segment : '{id}'}`;
  }
  return out || '/';
}
