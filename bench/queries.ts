// The canonical screens: a page of N groups with everything a group list shows (issue 5, target 1).

/** Same shape as the call-count guard in test/integration/cinder.facade.test.ts. */
export const CINDER_SCREEN = `query($n: Int) { groups(first: $n) { nodes {
  id name groupType { id name } volumeTypes { id name } volumes { id size group { id } }
  snapshots(first: 5) { totalCount nodes { id group { id } groupType { id } } } } } }`;

/** K: the linked collections CINDER_SCREEN follows (group type, volume types, volumes, snapshots). */
export const CINDER_LINKS = 4;

export const MANILA_SCREEN = `query($n: Int) { shareGroups(first: $n) { nodes {
  id name shareGroupType { id name } shareTypes { id name } shares { id size shareGroup { id } }
  snapshots(first: 5) { totalCount nodes { id shareGroup { id } } } } } }`;

/** K for MANILA_SCREEN: share group type, share types, shares, snapshots. */
export const MANILA_LINKS = 4;

export const TOKEN = 'bench-token';

export function graphqlBody(query: string, n: number): string {
  return JSON.stringify({ query, variables: { n } });
}

/** CINDER_SCREEN at any position, sort and filter: the varied load of issue 19 (random pages and filters). */
export const CINDER_VARIED_SCREEN = `query($n: Int, $after: String, $sort: GroupSort, $filter: GroupFilter) {
  groups(first: $n, after: $after, sort: $sort, filter: $filter) { nodes {
  id name groupType { id name } volumeTypes { id name } volumes { id size group { id } }
  snapshots(first: 5) { totalCount nodes { id group { id } groupType { id } } } } } }`;

/** Every cursor of the first 1000 groups under a sort: where random pages start. */
export const CINDER_CURSORS = `query($sort: GroupSort) { groups(first: 1000, sort: $sort) { edges { cursor } } }`;
