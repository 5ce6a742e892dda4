import type { QueryResolvers } from '../../generated/graphql.js';
import { InputError } from '../../errors.js';
import { pageSize } from '../../graphql/connections.js';
import { wantedLinks } from '../../graphql/lookahead.js';
import { wireValue } from '../../graphql/scalars.js';
import { assertUuid, optionalUuid } from '../../ids.js';
import { projectFilter } from '../identity/projectFilter.js';
import { cinderConnection, position, positionKey } from './pages.js';
import { snapshotConnection } from './snapshotConnection.js';

/** cinder/volume/group_types.py DEFAULT_CGSNAPSHOT_TYPE: listed by Cinder, refused by createGroup. */
const RESERVED_GROUP_TYPE = 'default_cgsnapshot_type';

export const CinderQuery: QueryResolvers = {
  group: (_, { id }, ctx) => ctx.cinder().loaders.groupById.load(assertUuid(id)),
  groups: async (_, args, ctx, info) => {
    const first = pageSize(args.first);
    // The cursor is checked before anything is prefetched: a forged one costs no upstream call.
    const pos = position(args.after, args.sort, 'g');
    const { client, loaders } = ctx.cinder();
    const filters = { name: args.filter?.name ?? undefined, project_id: projectFilter(args) };
    // The same page under another sort holds other groups: the sort is part of what the planner remembers.
    const pageKey = JSON.stringify([first, ...positionKey(pos), filters.name ?? null, filters.project_id ?? null]);
    const links = wantedLinks(info, ['groupType', 'volumeTypes', 'volumes', 'snapshots'], ['snapshots']);
    loaders.prefetchForGroups(first, links, pageKey);
    const conn = await cinderConnection(
      (o) => client.listGroups(ctx.caller, o, links.volumes),
      first,
      pos,
      filters,
      (f) => client.count((o) => client.listGroupSummaries(ctx.caller, o), f),
      loaders.groupsKnown(),
      { kind: 'g', show: (id) => loaders.groupById.load(id) },
    );
    loaders.primeGroups(conn.nodes, pageKey);
    // Sizes only: how long the project's listing is at least, so that a long page reads its upstream pages at once.
    // Only what the page showed counts: a (forged) offset past the end shows nothing.
    const shown = conn.nodes.length + (conn.pageInfo.hasNextPage ? 1 : 0);
    if (shown > 0 && filters.name === undefined && filters.project_id === undefined) loaders.groupsListed(shown + (pos.offset ?? 0));
    return conn;
  },
  groupSnapshot: (_, { id }, ctx) => ctx.cinder().loaders.groupSnapshotById.load(assertUuid(id)),
  groupSnapshots: async (_, args, ctx, info) => {
    const first = pageSize(args.first);
    const pos = position(args.after, args.sort, 's');
    const f = args.filter;
    if (f?.status === 'UNKNOWN') throw new InputError('UNKNOWN is not a group snapshot status Cinder can filter by.');
    const filters = {
      group_id: optionalUuid(f?.groupId, 'groupId'),
      status: f?.status ? wireValue(f.status, 'snake') : undefined,
      name: f?.name ?? undefined,
      project_id: projectFilter(args),
    };
    const { client, loaders } = ctx.cinder();
    if (wantedLinks(info, ['volumeSnapshots']).volumeSnapshots) loaders.volumeSnapshotsByGroupSnapshotId.prefetch(first);
    const conn = await snapshotConnection.fromUpstream(client, ctx.caller, first, pos, filters);
    for (const s of conn.nodes) loaders.groupSnapshotById.prime(s.id, s);
    return conn;
  },
  groupType: (_, { id }, ctx) => ctx.cinder().loaders.groupTypeById.load(assertUuid(id)),
  groupTypes: async (_, __, ctx) => {
    const { loaders } = ctx.cinder();
    const all = await loaders.groupTypes();
    for (const t of all) loaders.groupTypeById.prime(t.id, t);
    // Cinder lists its type for migrated consistency groups, which every create refuses ("is reserved"): no pick.
    return all.filter((t) => t.name !== RESERVED_GROUP_TYPE);
  },
  volume: (_, { id }, ctx) => ctx.cinder().loaders.volumeById.load(assertUuid(id)),
};
