import type { QueryResolvers } from '../../generated/graphql.js';
import { NotSupportedError, InputError } from '../../errors.js';
import { wantedLinks } from '../../graphql/lookahead.js';
import { offsetFromCursor, pageSize } from '../../graphql/connections.js';
import { wireValue } from '../../graphql/scalars.js';
import { assertUuid, optionalUuid } from '../../ids.js';
import { MANILA_VERSIONS } from '../../upstreams/manila/client.js';
import { projectFilter } from '../identity/projectFilter.js';
import { likeLiteral } from './likeText.js';
import { offsetConnection } from './offsetConnection.js';

const SHARE_GROUPS = { listing: 'shareGroups' } as const;

export const ManilaQuery: QueryResolvers = {
  shareGroup: (_, { id }, ctx) => ctx.manila().loaders.shareGroupById.load(assertUuid(id)),
  shareGroups: async (_, args, ctx, info) => {
    const { client, loaders } = ctx.manila();
    const f = args.filter;
    if (f?.status === 'UNKNOWN') throw new InputError('UNKNOWN is not a share group status Manila can filter by.');
    const filters = {
      name: f?.name ?? undefined,
      'name~': likeLiteral(f?.nameContains),
      'description~': likeLiteral(f?.descriptionContains),
      status: f?.status ? wireValue(f.status, 'snake') : undefined,
      share_group_type_id: optionalUuid(f?.shareGroupTypeId, 'shareGroupTypeId'),
      share_network_id: optionalUuid(f?.shareNetworkId, 'shareNetworkId'),
      project_id: projectFilter(args),
      sort_key: args.sort ? args.sort.key.toLowerCase() : undefined,
      sort_dir: args.sort ? (args.sort.direction ?? 'DESC').toLowerCase() : undefined,
    };
    // Below 2.36 Manila silently drops name~ / description~ and would return every group.
    if ((filters['name~'] || filters['description~']) && !(await client.atLeast(ctx.caller, MANILA_VERSIONS.likeFilters))) {
      throw new NotSupportedError('manila', `nameContains and descriptionContains need Manila API 2.36; this Manila supports up to ${await client.version(ctx.caller)}.`);
    }
    // The cursor is checked before anything is prefetched: a forged one costs no upstream call.
    const first = pageSize(args.first);
    const pageKey = JSON.stringify([first, offsetFromCursor(args.after, SHARE_GROUPS), filters]);
    const unfiltered = Object.entries(filters).every(([k, v]) => v === undefined || k.startsWith('sort_'));
    loaders.prefetchForShareGroups(first, wantedLinks(info, ['shareGroupType', 'shareTypes', 'shares', 'snapshots'], ['snapshots']), pageKey);
    const conn = await offsetConnection(
      client,
      args,
      SHARE_GROUPS,
      (o) => client.listShareGroups(ctx.caller, o),
      () => client.count((o) => client.listShareGroupSummaries(ctx.caller, o), filters),
      filters,
      unfiltered ? loaders.shareGroupsKnown() : 0,
    );
    loaders.primeShareGroups(conn.nodes, pageKey);
    // Sizes only: how long the project's listing is at least, so that a long page reads its upstream pages at once.
    // Only what the page showed counts: a (forged) offset past the end shows nothing.
    const shown = conn.nodes.length + (conn.pageInfo.hasNextPage ? 1 : 0);
    if (unfiltered && shown > 0) loaders.shareGroupsListed(offsetFromCursor(args.after, SHARE_GROUPS) + shown);
    return conn;
  },
  shareGroupSnapshot: (_, { id }, ctx) => ctx.manila().loaders.shareGroupSnapshotById.load(assertUuid(id)),
  shareGroupSnapshots: async (_, args, ctx) => {
    const { client, loaders } = ctx.manila();
    const f = args.filter;
    if (f?.status === 'UNKNOWN') throw new InputError('UNKNOWN is not a snapshot status Manila can filter by.');
    const filters = {
      share_group_id: optionalUuid(f?.shareGroupId, 'shareGroupId'),
      status: f?.status ? wireValue(f.status, 'snake') : undefined,
      name: f?.name ?? undefined,
      project_id: projectFilter(args),
    };
    const conn = await offsetConnection(
      client,
      args,
      { listing: 'shareGroupSnapshots' },
      (o) => client.listShareGroupSnapshots(ctx.caller, o),
      () => client.count((o) => client.listShareGroupSnapshotSummaries(ctx.caller, o), filters),
      filters,
    );
    for (const s of conn.nodes) loaders.shareGroupSnapshotById.prime(s.id, s);
    return conn;
  },
  shareGroupType: (_, { id }, ctx) => ctx.manila().loaders.shareGroupTypeById.load(assertUuid(id)),
  shareGroupTypes: async (_, __, ctx) => {
    const { client, loaders } = ctx.manila();
    const all = await client.listShareGroupTypes(ctx.caller);
    for (const t of all) loaders.shareGroupTypeById.prime(t.id, t);
    return all;
  },
  shareType: (_, { id }, ctx) => ctx.manila().loaders.shareTypeById.load(assertUuid(id)),
  shareTypes: async (_, __, ctx) => {
    const { client, loaders } = ctx.manila();
    const all = await client.listShareTypes(ctx.caller);
    for (const t of all) loaders.shareTypeById.prime(t.id, t);
    return all;
  },
  share: (_, { id }, ctx) => ctx.manila().loaders.shareById.load(assertUuid(id)),
};
