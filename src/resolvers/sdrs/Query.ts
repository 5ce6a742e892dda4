import type { ProtectionGroupFilter, QueryResolvers } from '../../generated/graphql.js';
import { InputError } from '../../errors.js';
import { connection, offsetAfter, offsetCursor, pageSize } from '../../graphql/connections.js';
import { wireValue } from '../../graphql/scalars.js';
import { assertSdrsJobId, assertUuid } from '../../ids.js';
import { following, readOffsetPages } from '../../upstreams/sdrs/paging.js';
import type { SdrsGroupFilters } from '../../upstreams/sdrs/types.js';
import { resumeIndex, resumeWindow } from '../resume.js';
import { waitMillis } from './wait.js';

function groupFilters(f: ProtectionGroupFilter | null | undefined): SdrsGroupFilters | undefined {
  if (!f) return undefined;
  if (f.status === 'UNKNOWN') throw new InputError('UNKNOWN is not a status SDRS can filter on.');
  return {
    status: f.status ? wireValue(f.status, 'kebab') : undefined,
    name: f.name ?? undefined,
    availability_zone: f.availabilityZone ?? undefined,
    query_type: f.queryType ? (wireValue(f.queryType, 'snake') as SdrsGroupFilters['query_type']) : undefined,
  };
}

const GROUPS = { listing: 'protectionGroups' } as const;

export const SdrsQuery: QueryResolvers = {
  protectionGroup: (_, { id }, ctx) => ctx.sdrs().loaders.groupById.load(assertUuid(id)),
  protectionGroups: async (_, args, ctx) => {
    const first = pageSize(args.first);
    const { start, lastId, nextId } = offsetAfter(args.after, GROUPS);
    const filters = groupFilters(args.filter);
    const { client, loaders } = ctx.sdrs();
    // A few items around the cursor's position too: the page goes on after the group the cursor was on (resume.ts).
    const { from, extra } = resumeWindow(start, lastId);
    const asked = first + extra + following(first + extra);
    const page = await readOffsetPages((limit, offset) => client.listGroups(ctx.caller, { limit, offset, filters }), from, asked);
    const at = resumeIndex(page.items, lastId, start, from, first, asked, nextId);
    const items = page.items.slice(at, at + first);
    for (const g of items) loaders.groupById.prime(g.id, g);
    const end = from + at + items.length;
    return connection(items, {
      cursorOf: (g, i, next) => offsetCursor(GROUPS, from + at + i, g.id, next?.id),
      following: page.items[at + first],
      hasNextPage: page.count !== null ? end < page.count : page.hasMore || page.items.length > at + first,
      hasPreviousPage: start > 0,
      totalCount: page.count,
    });
  },
  protectedInstance: (_, { id }, ctx) => ctx.sdrs().loaders.instanceById.load(assertUuid(id)),
  replicationPair: (_, { id }, ctx) => ctx.sdrs().loaders.pairById.load(assertUuid(id)),
  drill: (_, { id }, ctx) => ctx.sdrs().loaders.drillById.load(assertUuid(id)),
  job: (_, { id, waitSeconds }, ctx) => {
    const jobId = assertSdrsJobId(id);
    const waitMs = waitMillis(waitSeconds);
    const { loaders } = ctx.sdrs();
    return waitMs === null ? loaders.jobById.load(jobId) : loaders.waitForJob(jobId, waitMs);
  },
};
