import type { QueryResolvers } from '../../generated/graphql.js';
import { connection, markerCursor, markerFromCursor, pageSize } from '../../graphql/connections.js';
import { wantedLinks } from '../../graphql/lookahead.js';
import { wireValue } from '../../graphql/scalars.js';
import { assertUuid, optionalUuid } from '../../ids.js';
import { readMarkerPages } from '../../upstreams/paging.js';
import { projectFilter } from '../identity/projectFilter.js';
import { snapshotConnection } from './snapshotConnection.js';

export const CinderQuery: QueryResolvers = {
  group: (_, { id }, ctx) => ctx.cinder().loaders.groupById.load(assertUuid(id)),
  groups: async (_, args, ctx, info) => {
    const first = pageSize(args.first);
    const marker = markerFromCursor(args.after);
    const { client, loaders } = ctx.cinder();
    const filters = { name: args.filter?.name ?? undefined, project_id: projectFilter(args) };
    const pageKey = JSON.stringify([first, marker ?? null, filters.name ?? null, filters.project_id ?? null]);
    loaders.prefetchForGroups(first, wantedLinks(info, ['groupType', 'volumeTypes', 'volumes', 'snapshots'], ['snapshots']), pageKey);
    const page = await readMarkerPages(
      'cinder',
      (limit, m) => client.listGroups(ctx.caller, { limit, marker: m, filters }),
      first + 1,
      marker,
    );
    const hasNextPage = page.items.length > first;
    const items = page.items.slice(0, first);
    loaders.primeGroups(items, pageKey);
    return connection(items, {
      cursorOf: (g) => markerCursor(g.id),
      hasNextPage,
      hasPreviousPage: marker !== undefined,
      // Cinder cannot count groups: free when this first page holds them all, else counted on demand.
      totalCount:
        marker === undefined && !hasNextPage
          ? page.items.length
          : () => client.count((o) => client.listGroupSummaries(ctx.caller, o), filters),
    });
  },
  groupSnapshot: (_, { id }, ctx) => ctx.cinder().loaders.groupSnapshotById.load(assertUuid(id)),
  groupSnapshots: async (_, args, ctx) => {
    const first = pageSize(args.first);
    const marker = markerFromCursor(args.after);
    const f = args.filter;
    const { client, loaders } = ctx.cinder();
    const conn = await snapshotConnection.fromUpstream(client, ctx.caller, first, marker, {
      group_id: optionalUuid(f?.groupId, 'groupId'),
      status: f?.status ? wireValue(f.status, 'snake') : undefined,
      name: f?.name ?? undefined,
      project_id: projectFilter(args),
    });
    for (const s of conn.nodes) loaders.groupSnapshotById.prime(s.id, s);
    return conn;
  },
  groupType: (_, { id }, ctx) => ctx.cinder().loaders.groupTypeById.load(assertUuid(id)),
  groupTypes: async (_, __, ctx) => {
    const { client, loaders } = ctx.cinder();
    const all = await client.listAll((o) => client.listGroupTypes(ctx.caller, o));
    for (const t of all) loaders.groupTypeById.prime(t.id, t);
    return all;
  },
  volume: (_, { id }, ctx) => ctx.cinder().loaders.volumeById.load(assertUuid(id)),
};
