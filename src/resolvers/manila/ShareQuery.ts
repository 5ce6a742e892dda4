import type { QueryResolvers } from '../../generated/graphql.js';
import { InputError, NotSupportedError } from '../../errors.js';
import { wantedLinks } from '../../graphql/lookahead.js';
import { pageSize, offsetFromCursor } from '../../graphql/connections.js';
import { wireValue } from '../../graphql/scalars.js';
import { optionalUuid } from '../../ids.js';
import type { Caller } from '../../upstreams/caller.js';
import { MANILA_VERSIONS, type ManilaClient } from '../../upstreams/manila/client.js';
import { projectFilter } from '../identity/projectFilter.js';
import { likeLiteral } from './likeText.js';
import { offsetConnection } from './offsetConnection.js';

/** Below 2.36 Manila silently drops `name~` / `description~` and would answer with everything. */
async function requireLikeFilters(client: ManilaClient, caller: Caller, used: boolean): Promise<void> {
  if (used && !(await client.atLeast(caller, MANILA_VERSIONS.likeFilters))) {
    throw new NotSupportedError('manila', `nameContains and descriptionContains need Manila API 2.36; this Manila supports up to ${await client.version(caller)}.`);
  }
}

const SHARES = { listing: 'shares' } as const;

/** The pickers and listings of shares and share networks. */
export const ShareQuery: QueryResolvers = {
  shares: async (_, args, ctx, info) => {
    const { client, loaders } = ctx.manila();
    const f = args.filter;
    if (f?.status === 'UNKNOWN') throw new InputError('UNKNOWN is not a share status Manila can filter by.');
    // Manila's exact name wins over its LIKE form and would silently ignore nameContains.
    if (f?.name != null && f.nameContains != null) throw new InputError('Give name or nameContains, not both.');
    const filters = {
      share_group_id: optionalUuid(f?.shareGroupId, 'shareGroupId'),
      status: f?.status ? wireValue(f.status, 'snake') : undefined,
      name: f?.name ?? undefined,
      // Literal too, though the schema calls it a SQL LIKE: that note is about case; "containing this text" is the promise.
      'name~': likeLiteral(f?.nameContains),
      'description~': likeLiteral(f?.descriptionContains),
      share_type_id: optionalUuid(f?.shareTypeId, 'shareTypeId'),
      share_network_id: optionalUuid(f?.shareNetworkId, 'shareNetworkId'),
      project_id: projectFilter(args),
    };
    await requireLikeFilters(client, ctx.caller, Boolean(filters['name~'] || filters['description~']));
    // A Manila without share groups would drop the filter (a member's unknown filters are removed) and list everything.
    if (filters.share_group_id) await client.requireShareGroups(ctx.caller);
    // The cursor and page size are checked before anything is prefetched: a forged one costs no upstream call.
    const first = pageSize(args.first);
    offsetFromCursor(args.after, SHARES);
    loaders.prefetchForShares(first, wantedLinks(info, ['shareType'], []));
    const conn = await offsetConnection(
      client,
      args,
      SHARES,
      (o) => client.listShares(ctx.caller, o),
      () => client.count((o) => client.listShareSummaries(ctx.caller, o), filters),
      filters,
    );
    loaders.primeShares(conn.nodes);
    return conn;
  },
  shareNetworks: async (_, args, ctx) => {
    const { client, loaders } = ctx.manila();
    const f = args.filter;
    // Not escaped: Manila matches share networks in Python (`value in name`), where a backslash would be literal.
    const filters = { name: f?.name ?? undefined, 'name~': f?.nameContains ?? undefined };
    await requireLikeFilters(client, ctx.caller, Boolean(filters['name~']));
    const all = await client.listAll((o) => client.listShareNetworks(ctx.caller, o), filters);
    for (const n of all) loaders.shareNetworkById.prime(n.id, n);
    return all;
  },
};
