import DataLoader from 'dataloader';
import type { Caller } from '../caller.js';
import type { KnownLoader } from '../knownLoader.js';
import { acrossProjects, childrenAcrossProjects, childrenByParent, endpointProjectOf, expectedListingSize, ofOtherProject } from '../children.js';
import {
  CollectionSizes,
  PageMemory,
  collectionSizes,
  byIdLoader,
  byIdOrListing,
  listingIndex,
  partition,
  once,
  pageMemoryKey,
  settle,
  sharedListing,
} from '../loaders.js';
import type { ManilaClient } from './client.js';
import { ManilaConsistencyGroups } from './consistency-groups.js';
import { ManilaShareGroupTypeAdmin } from './share-group-types.js';
import type {
  ManilaCgSnapshot,
  ManilaCgSnapshotMember,
  ManilaConsistencyGroup,
  ManilaShare,
  ManilaShareGroup,
  ManilaShareGroupSnapshot,
  ManilaShareGroupType,
  ManilaShareNetwork,
  ManilaShareType,
} from './types.js';

/** The share groups each caller's pages held when last read (see prefetchForShareGroups). */
export const lastShareGroupPages = new PageMemory<{ ids: readonly string[] }>();

// A listing may replace several shows only while it stays this small per id asked for.
const LISTING_BUDGET_PER_KEY = 50;

/**
 * By-id loader whose batches of several ids are answered by one listing (types, networks, shares: Manila has
 * no get-many), while it stays within LISTING_BUDGET_PER_KEY items per id (at least two ids' worth). Ids the
 * listing did not hold (a private type, a listing over budget) fall back to one show each; `eager` as in
 * `byIdLoader`.
 */
function byIdViaListing<T extends { id: string }>(
  show: (id: string) => Promise<T>,
  listing: (maxItems: number) => Promise<T[]>,
  eager?: () => boolean,
  listed?: (id: string) => T | undefined,
): KnownLoader<string, T | null> {
  return byIdLoader(
    show,
    async (ids) => {
      const budget = Math.max(ids.length, 2) * LISTING_BUDGET_PER_KEY;
      const all = await listing(budget + 1);
      return all.length <= budget ? new Map(all.map((t) => [t.id, t])) : null;
    },
    eager,
    listed,
  );
}

/** Per-request loaders for one caller: every Manila object is fetched at most once per GraphQL request. */
export function createManilaLoaders(client: ManilaClient, cg: ManilaConsistencyGroups, caller: Caller) {
  // Sizes are the project's (this endpoint's), learnt by any of its callers: a new token plans like a known one.
  const sizeOf = (collection: string) => CollectionSizes.ofProject('manila', collection, client.http.endpoint, caller);
  const lane = client.http.bulkhead.maxActive;
  // Several ids at once (the groups of a page of snapshots): one bounded detail listing rather than N shows.
  const shareGroupById = byIdOrListing<ManilaShareGroup>(
    (id) => client.showShareGroup(caller, id),
    (max) => client.listAll((o) => client.listShareGroups(caller, o), undefined, max),
    sizeOf('share_groups'),
  );
  const shareGroupSnapshotById = byIdOrListing<ManilaShareGroupSnapshot>(
    (id) => client.showShareGroupSnapshot(caller, id),
    (max) => client.listAll((o) => client.listShareGroupSnapshots(caller, o), undefined, max),
    sizeOf('share_group_snapshots'),
  );
  const consistencyGroupById = byIdLoader<ManilaConsistencyGroup>((id) => cg.show(caller, id));
  const cgSnapshotById = byIdLoader<ManilaCgSnapshot>((id) => cg.showSnapshot(caller, id));

  // Types are few per cloud and the type listings are not paged: one listing answers any number of ids, and
  // one prefetched with a page of share groups answers even one id. A share group type write starts a new
  // listing (the old one may hold the type as it was).
  let allShareGroupTypes = once(() => client.listShareGroupTypes(caller));
  const allShareTypes = once(() => client.listShareTypes(caller));
  const shareGroupTypeById = byIdViaListing<ManilaShareGroupType>(
    (id) => client.showShareGroupType(caller, id),
    () => allShareGroupTypes.get(),
    () => allShareGroupTypes.started,
    listingIndex(() => allShareGroupTypes).find,
  );
  const shareTypeById = byIdViaListing<ManilaShareType>(
    (id) => client.showShareType(caller, id),
    allShareTypes.get,
    () => allShareTypes.started,
    listingIndex(() => allShareTypes).find,
  );
  const shareNetworkById = byIdViaListing<ManilaShareNetwork>(
    (id) => client.showShareNetwork(caller, id),
    (max) => client.listAll((o) => client.listShareNetworks(caller, o), undefined, max),
  );
  // Shares by id (snapshot members) and shares by group both want the unfiltered listing: read it once.
  const sharesRead = sharedListing((max) => client.listAll((o) => client.listShares(caller, o), undefined, max, expectedListingSize(sizeOf('shares'))));
  // Items only: each reader judges them against its own limit (a longer complete read counts as over it).
  const allShares = async (max: number) => (await sharesRead(max)).items;
  const shareById: DataLoader<string, ManilaShare | null> = byIdViaListing<ManilaShare>(
    (id) => client.showShare(caller, id),
    allShares,
  );
  const primeShare = (s: ManilaShare) => shareById.prime(s.id, s);

  const listShares = (filters: Record<string, string> | undefined, max: number) =>
    filters ? client.listAll((o) => client.listShares(caller, o), filters, max) : allShares(max);

  const sharesByShareGroupId = childrenByParent<ManilaShare>(
    listShares,
    'share_group_id',
    (s) => s.share_group_id,
    primeShare,
    { sizeKey: sizeOf('shares'), parentsKey: sizeOf('share_groups'), lane },
  );
  const snapshotsByShareGroupId = childrenByParent<ManilaShareGroupSnapshot>(
    (filters, max, expected) => client.listAll((o) => client.listShareGroupSnapshots(caller, o), filters, max, expected),
    'share_group_id',
    (s) => s.share_group_id,
    (s) => shareGroupSnapshotById.prime(s.id, s),
    { sizeKey: sizeOf('share_group_snapshots'), parentsKey: sizeOf('share_groups'), lane },
  );
  const sharesByConsistencyGroupId = childrenByParent<ManilaShare>(
    listShares,
    'consistency_group_id',
    (s) => s.consistency_group_id,
    primeShare,
    { lane },
  );
  // Legacy cgsnapshot lists ignore every filter: always one listing, partitioned here.
  const cgSnapshotsByConsistencyGroupId = new DataLoader<string, ManilaCgSnapshot[]>(async (ids) => {
    const all = await client.listAll((o) => cg.listSnapshots(caller, o));
    for (const s of all) cgSnapshotById.prime(s.id, s);
    const byParent = partition(all, ids, (s) => s.consistency_group_id);
    return ids.map((id) => byParent.get(id) ?? []);
  });
  const membersByCgSnapshotId = new DataLoader<string, ManilaCgSnapshotMember[]>((ids) =>
    settle(ids.map((id) => cg.snapshotMembers(caller, id))),
  );

  // Another project's share group (an admin's lookup by id): its children by filter, across projects.
  const own = { caller, sharesByShareGroupId, snapshotsByShareGroupId };
  // Made on first use: almost no request meets another project's parent, and every request pays for what it makes.
  let foreign: ReturnType<typeof foreignChildren> | undefined;
  const foreignChildren = () => {
    const across = acrossProjects(caller);
    return {
      caller: across,
      sharesByShareGroupId: childrenAcrossProjects<ManilaShare>(
        async (id) => (await client.listAll((o) => client.listShares(across, o), { share_group_id: id }, 10_000)).filter((s) => s.share_group_id === id),
        primeShare,
      ),
      snapshotsByShareGroupId: childrenAcrossProjects<ManilaShareGroupSnapshot>(
        async (id) =>
          (await client.listAll((o) => client.listShareGroupSnapshots(across, o), { share_group_id: id }, 10_000)).filter(
            (s) => s.share_group_id === id,
          ),
        (s) => shareGroupSnapshotById.prime(s.id, s),
      ),
    };
  };
  const foreignLoaders = () => (foreign ??= foreignChildren());

  // The caller's project as a whole: read at most once per request, whoever asks.
  const quotaUsage = once(() => client.quotaUsage(caller));
  const availabilityZones = once(() => client.availabilityZones(caller));

  return {
    quotaUsage: quotaUsage.get,
    availabilityZones: availabilityZones.get,
    /** How many share groups the project is known to hold at least, for reading a long page's pages at once. */
    shareGroupsKnown: () => collectionSizes.atLeast(sizeOf('share_groups')),
    /** A page of share groups (no filter) proved the project holds at least `count`. */
    shareGroupsListed(count: number) {
      if (count > collectionSizes.atLeast(sizeOf('share_groups'))) collectionSizes.record(sizeOf('share_groups'), count);
    },
    shareGroupById,
    shareGroupSnapshotById,
    shareGroupTypeById,
    shareTypeById,
    shareNetworkById,
    shareById,
    sharesByShareGroupId,
    snapshotsByShareGroupId,
    /**
     * The children loaders for a share group of `project`: the request's own, or, for another project's group than
     * the caller's `ownProject`, filtered reads across projects (all_tenants).
     */
    childrenOf(project: string | null | undefined, ownProject: string | null | undefined) {
      if (caller.allProjects || !ofOtherProject(project, ownProject ?? endpointProjectOf(() => client.projectId()))) return own;
      return foreignLoaders();
    },
    consistencyGroupById,
    cgSnapshotById,
    sharesByConsistencyGroupId,
    cgSnapshotsByConsistencyGroupId,
    membersByCgSnapshotId,
    /**
     * Share groups read as a page: primed for by-id reads, and, with the page's key, their ids kept for this
     * caller's next read of the same page.
     */
    primeShareGroups(groups: ManilaShareGroup[], pageKey?: string) {
      for (const g of groups) shareGroupById.prime(g.id, g);
      const key = pageMemoryKey('manila', 'share-groups', pageKey, caller);
      if (key !== undefined) lastShareGroupPages.remember(key, { ids: groups.map((g) => g.id) });
    },
    /**
     * A page of up to `groups` share groups is on its way and the query wants these of each: start the reads the
     * planner would make for them now, in parallel with the page (one round trip instead of two). Shares and
     * share group snapshots have no list filter: in a project too large for one listing, the share groups this
     * caller's same page held a minute ago get their own filtered listings with the page.
     */
    prefetchForShareGroups(
      groups: number,
      wants: { shareGroupType: boolean; shareTypes: boolean; shares: boolean; snapshots: boolean },
      pageKey?: string,
    ) {
      if (groups < 2) return;
      if (wants.shareGroupType) allShareGroupTypes.prefetch();
      if (wants.shareTypes) allShareTypes.prefetch();
      const key = pageMemoryKey('manila', 'share-groups', pageKey, caller);
      const last = key === undefined ? undefined : lastShareGroupPages.recall(key);
      // A new page's listings leave with it only when the page is expected to use most of them (as for Cinder).
      if (wants.shares) sharesByShareGroupId.prefetchPage(groups, last?.ids);
      if (wants.snapshots) snapshotsByShareGroupId.prefetchPage(groups, last?.ids);
    },
    /** A page of shares is on its way and its nodes want their share types: list the types with it. */
    prefetchForShares(shares: number, wants: { shareType: boolean }) {
      if (shares >= 2 && wants.shareType) allShareTypes.prefetch();
    },
    primeShares(shares: ManilaShare[]) {
      shares.forEach(primeShare);
    },
    /** After a share write: the share, and the shares of its group. */
    forgetShare(id: string, shareGroupId?: string | null) {
      shareById.clear(id);
      if (shareGroupId) sharesByShareGroupId.clear(shareGroupId);
      if (shareGroupId) foreign?.sharesByShareGroupId.clear(shareGroupId);
    },
    forgetShareGroupType(id: string) {
      shareGroupTypeById.clear(id);
      allShareGroupTypes = once(() => client.listShareGroupTypes(caller));
    },
    /** After a cgsnapshot write: the snapshot, its members and every group's snapshot list. */
    forgetCgSnapshot(id: string) {
      cgSnapshotById.clear(id);
      membersByCgSnapshotId.clear(id);
      cgSnapshotsByConsistencyGroupId.clearAll();
    },
    /** After a write: forget everything this request knew about the share group. */
    forgetShareGroup(id: string) {
      shareGroupById.clear(id);
      sharesByShareGroupId.clear(id);
      snapshotsByShareGroupId.clear(id);
      foreign?.sharesByShareGroupId.clear(id);
      foreign?.snapshotsByShareGroupId.clear(id);
    },
    forgetShareGroupSnapshot(id: string) {
      shareGroupSnapshotById.clear(id);
      snapshotsByShareGroupId.clearAll();
      foreign?.snapshotsByShareGroupId.clearAll();
    },
    forgetConsistencyGroup(id: string) {
      consistencyGroupById.clear(id);
      sharesByConsistencyGroupId.clear(id);
      cgSnapshotsByConsistencyGroupId.clear(id);
    },
  };
}

export type ManilaLoaders = ReturnType<typeof createManilaLoaders>;

export interface ManilaAccess {
  client: ManilaClient;
  /** The legacy consistency-group API (Manila below 2.31 only). */
  cg: ManilaConsistencyGroups;
  /** Share group type administration (admin-only upstream). */
  groupTypes: ManilaShareGroupTypeAdmin;
  loaders: ManilaLoaders;
}

/** What `ctx.manila()` hands resolvers: built once per request. */
export function createManilaAccess(client: ManilaClient, caller: Caller): ManilaAccess {
  const cg = new ManilaConsistencyGroups(client);
  return { client, cg, groupTypes: new ManilaShareGroupTypeAdmin(client), loaders: createManilaLoaders(client, cg, caller) };
}
