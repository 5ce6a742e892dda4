import DataLoader from 'dataloader';
import type { RequestContext } from '../context.js';
import { readOffsetPages } from '../upstreams/sdrs/paging.js';
import type { SdrsProtectionGroup } from '../upstreams/sdrs/types.js';
import { MissesShown } from '../upstreams/loaders.js';

// A listing may replace several shows while it reads at most this many groups per id asked for (as the Cinder and
// Manila by-id loaders do); SDRS answers up to SDRS_MAX_LIMIT (1000) groups a page.
const LISTING_BUDGET_PER_ID = 50;

/**
 * Protection groups by id for `_entities`: SDRS has no get-many endpoint and the facade's own by-id loader shows
 * each group, which suits the one or two ids a job or drill links to. A router's batch of many ids is read as one
 * bounded listing instead (one call for a project of up to 50 groups per id asked for), primed into that loader;
 * a project over the budget, or an id the listing did not hold, is shown one by one.
 */
const perRequest = new WeakMap<RequestContext, DataLoader<string, SdrsProtectionGroup | null>>();

export function protectionGroupEntity(ctx: RequestContext, id: string): Promise<SdrsProtectionGroup | null> {
  let loader = perRequest.get(ctx);
  if (!loader) {
    const misses = new MissesShown();
    loader = new DataLoader((ids) => protectionGroupsByIds(ctx, ids, misses));
    perRequest.set(ctx, loader);
  }
  return loader.load(id);
}

async function protectionGroupsByIds(ctx: RequestContext, ids: readonly string[], misses: MissesShown): Promise<(SdrsProtectionGroup | null | Error)[]> {
  const { client, loaders } = ctx.sdrs();
  let listed: Set<string> | null = null;
  if (ids.length > 1) {
    const budget = ids.length * LISTING_BUDGET_PER_ID;
    // A failed listing is no answer yet: the shows below still are.
    const read = await readOffsetPages((limit, offset) => client.listGroups(ctx.caller, { limit, offset }), 0, budget).catch(() => null);
    if (read && !read.hasMore) {
      for (const g of read.items) loaders.groupById.prime(g.id, g);
      listed = new Set(read.items.map((g) => g.id));
    }
  }
  // Ids no complete listing answered (it lacked them, failed or was over budget): shown one by one up to
  // MissesShown's limit (loaders.ts); every id here is a router's.
  const load = (id: string) => (listed?.has(id) ? loaders.groupById.load(id) : misses.show(id, (i) => loaders.groupById.load(i)));
  const settled = await Promise.allSettled(ids.map(load));
  return settled.map((r) => (r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason))));
}
