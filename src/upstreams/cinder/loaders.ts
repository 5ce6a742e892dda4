import DataLoader from 'dataloader';
import { FacadeError, UpstreamError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { acrossProjects, childrenAcrossProjects, childrenByParent, endpointProjectOf, ofOtherProject } from '../children.js';
import { CollectionSizes, PageMemory, collectionSizes, byIdLoader, byIdOrListing, listingIndex, nullIfNotFound, once, pageMemoryKey, settle } from '../loaders.js';
import { worthReadingAhead } from '../roundTrips.js';
import type { CinderClient, ListOptions } from './client.js';
import type { CinderGroup, CinderGroupSnapshot, CinderGroupType, CinderSnapshot, CinderVolume, CinderVolumeType } from './types.js';
import { createVolumeSnapshotLoader } from './volumeSnapshots.js';

/** Per-request loaders for one caller: every Cinder object is fetched at most once per GraphQL request. */
export function createCinderLoaders(client: CinderClient, caller: Caller) {
  // Sizes are the project's (this endpoint's), learnt by any of its callers: a new token plans like a known one.
  const sizeOf = (collection: string) => CollectionSizes.ofProject('cinder', collection, client.http.endpoint, caller);
  const lane = client.http.bulkhead.maxActive;
  // Several ids at once (the groups of a page of snapshots, the source snapshots of a page of groups): one
  // bounded detail listing rather than N shows.
  const groupById = byIdOrListing<CinderGroup>(
    (id) => client.showGroup(caller, id),
    (max) => client.listAll((o) => client.listGroups(caller, o), undefined, max),
    sizeOf('groups'),
  );
  const groupSnapshotById = byIdOrListing<CinderGroupSnapshot>(
    (id) => client.showGroupSnapshot(caller, id),
    (max) => client.listAll((o) => client.listGroupSnapshots(caller, o), undefined, max),
    sizeOf('group_snapshots'),
  );
  // Several volumes at once (the volumes of a page of group snapshots' snapshots): one bounded listing.
  const volumeById = byIdOrListing<CinderVolume>(
    (id) => client.showVolume(caller, id),
    (max) => client.listAll((o) => client.listVolumes(caller, o), undefined, max),
    sizeOf('volumes'),
  );

  // Types are few per cloud: for several ids one listing beats N shows. A listing prefetched with a page of
  // groups answers even one id.
  const readGroupTypes = () => once(() => client.listAll((o) => client.listGroupTypes(caller, o)));
  // Replaced after a group type write, so the by-id loader never answers from a listing read before it.
  let allGroupTypes = readGroupTypes();
  const allVolumeTypes = once(() => client.listAll((o) => client.listVolumeTypes(caller, o)));
  const groupTypes = listingIndex(() => allGroupTypes);
  const volumeTypes = listingIndex(() => allVolumeTypes);
  const groupTypeById = byIdLoader<CinderGroupType>(
    (id) => client.showGroupType(caller, id),
    groupTypes.byId,
    () => allGroupTypes.started,
    groupTypes.find,
  );
  const volumeTypeById = byIdLoader<CinderVolumeType>(
    (id) => client.showVolumeType(caller, id),
    volumeTypes.byId,
    () => allVolumeTypes.started,
    volumeTypes.find,
  );

  // Groups of this request's pages, with the volume ids `list_volume=true` gave them.
  const pageGroups = new Map<string, CinderGroup>();
  // The exact volume read for the groups this caller's page held last time, started with the page (see guessVolumes).
  let guessed: GuessedVolumes | undefined;
  // The unfiltered listing (read to partition) is counted by Cinder: its exact size is known for next time.
  const countedVolumes = (o: ListOptions) =>
    client.listVolumesCountedIfAble(caller, o).then((page) => {
      if (page.count !== undefined && !o.marker && !o.offset) collectionSizes.record(sizeOf('volumes'), page.count, true);
      return page;
    });
  const volumesByGroupId = childrenByParent<CinderVolume>(
    (filters, max, expected) =>
      filters
        ? client.listAll((o) => client.listVolumes(caller, o), filters, max)
        : client.listAll(countedVolumes, undefined, max, expected),
    'group_id',
    (v) => v.group_id,
    (v) => volumeById.prime(v.id, v),
    {
      sizeKey: sizeOf('volumes'),
      many: {
        read: (ids) => volumesOfGroups(client, caller, ids.map((id) => pageGroups.get(id)), guessed),
        perCall: IDS_PER_LISTING,
      },
      parentsKey: sizeOf('groups'),
      lane,
    },
  );
  const snapshotsByGroupId = childrenByParent<CinderGroupSnapshot>(
    (filters, max, expected) => client.listAll((o) => client.listGroupSnapshots(caller, o), filters, max, expected),
    'group_id',
    (s) => s.group_id,
    (s) => groupSnapshotById.prime(s.id, s),
    { sizeKey: sizeOf('group_snapshots'), parentsKey: sizeOf('groups'), lane },
  );

  const replicationTargetsByGroupId = new DataLoader<string, { backend_id: string }[]>((ids) =>
    settle(ids.map((id) => client.listReplicationTargets(caller, id).catch(noneIfNotReplicated))),
  );
  const volumeSnapshotsByGroupSnapshotId = createVolumeSnapshotLoader(client, caller);
  const own = { caller, volumesByGroupId, snapshotsByGroupId, volumeSnapshotsByGroupSnapshotId };
  // Made on first use: almost no request meets another project's parent, and every request pays for what it makes.
  let foreign: ReturnType<typeof foreignChildren> | undefined;
  const foreignLoaders = () => (foreign ??= foreignChildren(client, caller, (v) => volumeById.prime(v.id, v), (s) => groupSnapshotById.prime(s.id, s)));

  // Read at most once per request, whatever asks: the project's quotas, the zones, the default group type.
  const quotaUsage = once(() => client.project.quotaUsage(caller));
  // The caller's own project's group snapshots, even in a request that reads every project elsewhere.
  const ownGroupSnapshotCount = once(() => {
    const own = { ...caller, allProjects: false };
    return client.count((o) => client.listGroupSnapshotSummaries(own, o));
  });
  const availabilityZones = once(() => client.project.availabilityZones(caller));
  const readDefaultGroupType = () =>
    once(async () => {
      const t = await nullIfNotFound(client.groupTypeAdmin.showDefault(caller));
      if (t) groupTypeById.clear(t.id).prime(t.id, t);
      return t;
    });
  let defaultGroupType = readDefaultGroupType();

  return {
    groupById,
    /**
     * Groups read as a page: primed for by-id reads, and their volume ids kept for the volume planner. With the
     * page's key, its group ids are remembered for this caller's next read of the same page (see guessVolumes).
     */
    primeGroups(groups: CinderGroup[], pageKey?: string) {
      for (const g of groups) {
        groupById.prime(g.id, g);
        pageGroups.set(g.id, g);
      }
      const key = pageMemoryKey('cinder', 'groups', pageKey, caller);
      if (key !== undefined) lastPages.remember(key, volumePage(groups, lastPages.recall(key)));
    },
    /** How many groups the project is known to hold at least, for reading a long page's upstream pages at once. */
    groupsKnown: () => collectionSizes.atLeast(sizeOf('groups')),
    /** A page of groups (no name filter) proved the project holds at least `count`. */
    groupsListed(count: number) {
      if (count > collectionSizes.atLeast(sizeOf('groups'))) collectionSizes.record(sizeOf('groups'), count);
    },
    groupSnapshotById,
    groupTypeById,
    volumeTypeById,
    volumeById,
    volumesByGroupId,
    snapshotsByGroupId,
    replicationTargetsByGroupId,
    volumeSnapshotsByGroupSnapshotId,
    /**
     * The children loaders for a parent of `project` (Cinder shows it to admins from 3.58): the request's own, or,
     * for another project's parent than the caller's `ownProject`, filtered reads across projects (all_tenants).
     */
    childrenOf(project: string | null | undefined, ownProject: string | null | undefined) {
      if (caller.allProjects || !ofOtherProject(project, ownProject ?? endpointProjectOf(() => client.project.id()))) return own;
      return foreignLoaders();
    },
    /** Every group type / volume type the caller may see: one listing per request, shared with the by-id loaders. */
    groupTypes: () => allGroupTypes.get(),
    volumeTypes: () => allVolumeTypes.get(),
    quotaUsage,
    ownGroupSnapshotCount,
    availabilityZones,
    defaultGroupType: () => defaultGroupType.get(),
    /**
     * A page of up to `groups` groups is on its way and the query wants these of each: start the reads the
     * planner would make for them now, in parallel with the page (one round trip instead of two).
     */
    prefetchForGroups(
      groups: number,
      wants: { groupType: boolean; volumeTypes: boolean; volumes: boolean; snapshots: boolean },
      pageKey?: string,
    ) {
      if (groups < 2) return;
      if (wants.groupType) allGroupTypes.prefetch();
      if (wants.volumeTypes) allVolumeTypes.prefetch();
      // The volumes have an exact read once the page is in (its groups' ids in one listing). The groups this
      // caller's same page held a minute ago are a good guess: their exact read leaves with the page and costs
      // nothing extra when the guess holds. Without a guess, the project's volumes are read ahead of the page
      // only where the page is expected to use most of them, and a round trip costs more than the extra items.
      const key = pageMemoryKey('cinder', 'groups', pageKey, caller);
      const last = key === undefined ? undefined : lastPages.recall(key);
      if (wants.volumes) {
        guessed = last ? guessVolumes(client, caller, last) : undefined;
        const ahead = !guessed && volumesByGroupId.readsWholeFor(groups);
        if (ahead && worthReadingAhead(client.http.roundTrips, volumesByGroupId.aheadItems(groups))) volumesByGroupId.prefetch(groups);
      }
      // Snapshots have no list filter: in a project too large for one listing, the guessed groups' own filtered
      // listings leave with the page; a reloaded page's listing leaves with it (the fewest calls); a new page's
      // only when the page is expected to use most of it.
      if (wants.snapshots) snapshotsByGroupId.prefetchPage(groups, last?.ids);
    },
    /** After a write: forget everything this request knew about the group. */
    forgetGroup(id: string) {
      groupById.clear(id);
      pageGroups.delete(id);
      volumesByGroupId.clear(id);
      snapshotsByGroupId.clear(id);
      replicationTargetsByGroupId.clear(id);
      foreign?.volumesByGroupId.clear(id);
      foreign?.snapshotsByGroupId.clear(id);
    },
    forgetGroupSnapshot(id: string) {
      groupSnapshotById.clear(id);
      snapshotsByGroupId.clearAll();
      volumeSnapshotsByGroupSnapshotId.clear(id);
      foreign?.snapshotsByGroupId.clearAll();
      foreign?.volumeSnapshotsByGroupSnapshotId.clear(id);
    },
    /** After a group type write: its by-id read, the listing, and the default type (it may be this one). */
    forgetGroupType(id: string) {
      groupTypeById.clear(id);
      allGroupTypes = readGroupTypes();
      defaultGroupType = readDefaultGroupType();
    },
    /** After a volume write: its by-id read and every group's volume list (the volume may be in any of them). */
    forgetVolume(id: string) {
      volumeById.clear(id);
      volumesByGroupId.clearAll();
      foreign?.volumesByGroupId.clearAll();
    },
  };
}

export type CinderLoaders = ReturnType<typeof createCinderLoaders>;

// group/api.py _check_type: Cinder's 400 for a group whose group type or a volume type cannot replicate.
const NOT_REPLICATED = /^Invalid (group|volume) type: /;

/** A group that cannot replicate has no replication targets: a read field, not the client's bad input. */
function noneIfNotReplicated(err: unknown): { backend_id: string }[] {
  if (err instanceof UpstreamError && err.status === 400 && NOT_REPLICATED.test(err.upstreamMessage ?? err.message)) return [];
  throw err;
}

/** Below this many children a parent is read whole; past it, an error rather than a short list. */
const CHILDREN_MAX = 10_000;

/**
 * The children of another project's group or group snapshot (an admin's lookup by id): a project-scoped listing
 * holds none of them (real Cinder), so each parent's own listing is read across projects, filtered to it.
 */
function foreignChildren(
  client: CinderClient,
  caller: Caller,
  primeVolume: (v: CinderVolume) => void,
  primeGroupSnapshot: (s: CinderGroupSnapshot) => void,
) {
  const across = acrossProjects(caller);
  // Each kept to its parent even if a filter were dropped: nothing of another object is handed out.
  return {
    caller: across,
    volumesByGroupId: childrenAcrossProjects<CinderVolume>(
      async (id) => (await client.listAll((o) => client.listVolumes(across, o), { group_id: id }, CHILDREN_MAX)).filter((v) => v.group_id === id),
      primeVolume,
    ),
    snapshotsByGroupId: childrenAcrossProjects<CinderGroupSnapshot>(
      async (id) =>
        (await client.listAll((o) => client.listGroupSnapshots(across, o), { group_id: id }, CHILDREN_MAX)).filter((s) => s.group_id === id),
      primeGroupSnapshot,
    ),
    volumeSnapshotsByGroupSnapshotId: childrenAcrossProjects<CinderSnapshot>(
      async (id) =>
        (await client.listAll((o) => client.listSnapshots(across, o), { group_snapshot_id: id }, CHILDREN_MAX)).filter(
          (s) => s.group_snapshot_id === id,
        ),
      () => {},
    ),
  };
}

// Ids that may go inside a list literal: nothing that could close a quote or the list.
const LITERAL_SAFE = /^[A-Za-z0-9_-]{1,128}$/;
const IDS_PER_LISTING = 50;
/**
 * Cinders whose list-filtered answer came back empty while the groups listed volumes, and until when they are not
 * asked again. Such a Cinder compares the list as one string; but a race looks the same (every volume of the
 * groups deleted between the page and this read), so the verdict lapses and the next batch asks again.
 */
const noListFilters = new WeakMap<CinderClient, number>();
export const LIST_FILTERS_RETRY_MS = 10 * 60_000;
const listFiltersOff = (client: CinderClient) => (noListFilters.get(client) ?? 0) > Date.now();

/**
 * Whether a list-filtered answer surely holds every volume of `groups`: it did not fill the room it was given
 * (volumes created since the groups were read), and every volume id the groups list came back.
 */
function holdsEvery(groups: { volumes: string[] }[], got: CinderVolume[], room: number): boolean {
  if (got.length >= room) return false;
  const ids = new Set(got.map((v) => v.id));
  return groups.every((g) => g.volumes.every((id) => ids.has(id)));
}

/** A page of groups as the guesses need it: their ids, and how many volumes they listed when that is known. */
interface VolumePage {
  ids: string[];
  /** Undefined for a page read without its groups' volume ids (list_volume is asked only when volumes are). */
  volumes?: number;
  /** When `volumes` was counted (Date.now()). */
  countedAt?: number;
}

/** A volume count carried over by reads of the page without volumes is trusted this long after it was taken, as PageMemory keeps a page. */
const VOLUME_COUNT_MS = 60_000;

/**
 * What a caller's page of groups leaves for the next read of the same page (see PageMemory), or undefined when no
 * guess could use it: an id unfit for a list filter. Without the groups' volume ids, the snapshot guess still can.
 * PageMemory keeps pages of at most 50 groups (PAGE_MEMORY_MAX_PARENTS), one list-filtered read (IDS_PER_LISTING).
 */
export function volumePage(groups: CinderGroup[], before?: VolumePage): VolumePage | undefined {
  if (groups.some((g) => !LITERAL_SAFE.test(g.id))) return undefined;
  const ids = groups.map((g) => g.id);
  if (groups.every((g) => g.volumes)) return { ids, volumes: groups.reduce((n, g) => n + g.volumes!.length, 0), countedAt: Date.now() };
  // Read without volume ids: the same groups as before keep the count they had (the list view, then the screen),
  // for as long as it would have been kept anyway: list views every few seconds must not keep an old count for good.
  const fresh = before?.volumes !== undefined && Date.now() - (before.countedAt ?? 0) <= VOLUME_COUNT_MS;
  const same = fresh && before!.ids.length === ids.length && before!.ids.every((id, i) => id === ids[i]);
  return same ? { ids, volumes: before!.volumes, countedAt: before!.countedAt } : { ids };
}

/** The groups each caller's pages held when last read (see prefetchForGroups). */
export const lastPages = new PageMemory<VolumePage>();

/** An exact volume read started before the page it is for came back. */
interface GuessedVolumes {
  ids: ReadonlySet<string>;
  /** A read that fills this is not trusted (volumes created since the guess). */
  room: number;
  /** Null when the read failed: the batch then reads as without a guess. */
  answer: Promise<CinderVolume[] | null>;
}

function guessVolumes(client: CinderClient, caller: Caller, last: VolumePage): GuessedVolumes | undefined {
  if (listFiltersOff(client) || last.volumes === undefined) return undefined;
  const room = last.volumes + IDS_PER_LISTING;
  const answer = client
    .listAll((o) => client.listVolumes(caller, o), { group_id: JSON.stringify(last.ids) }, room)
    .catch(() => null);
  return { ids: new Set(last.ids), room, answer };
}

/**
 * The volumes of several groups with one listing per 50 groups: Cinder evaluates volume filter values as Python
 * literals (VolumeAPI.check_volume_filters), so `group_id=["a","b"]` is an SQL IN. The groups' own volume ids
 * (`list_volume=true`) check the answer: a Cinder that did not evaluate the list, or a volume that moved, means
 * null (one listing per group instead), never a silently short list. Null too when a group's volume ids are
 * not known (not read as part of a page).
 */
async function volumesOfGroups(
  client: CinderClient,
  caller: Caller,
  groups: (CinderGroup | undefined)[],
  guessed?: GuessedVolumes,
): Promise<Map<string, CinderVolume[]> | null> {
  if (listFiltersOff(client)) return null;
  const known = groups.filter((g): g is CinderGroup & { volumes: string[] } => !!g?.volumes && LITERAL_SAFE.test(g.id));
  if (known.length !== groups.length) return null;
  const out = new Map<string, CinderVolume[]>(known.map((g) => [g.id, []]));
  if (guessed && known.every((g) => guessed.ids.has(g.id))) {
    // The read started with the page for the groups it held last time: trusted when it did not fill its room
    // and holds every volume these groups list; anything else is read again, exactly, as without a guess.
    const got = await guessed.answer;
    if (got && holdsEvery(known, got, guessed.room)) {
      for (const v of got) out.get(v.group_id ?? '')?.push(v);
      return out;
    }
  }
  const chunks: (typeof known)[] = [];
  for (let i = 0; i < known.length; i += IDS_PER_LISTING) chunks.push(known.slice(i, i + IDS_PER_LISTING));
  // Room for volumes created since the groups were read; a read that fills it is not trusted.
  const room = chunks.map((chunk) => chunk.reduce((n, g) => n + g.volumes.length, 0) + IDS_PER_LISTING);
  let answers: CinderVolume[][];
  try {
    answers = await Promise.all(
      chunks.map((chunk, i) =>
        client.listAll((o) => client.listVolumes(caller, o), { group_id: JSON.stringify(chunk.map((g) => g.id)) }, room[i]),
      ),
    );
  } catch (err) {
    if (err instanceof FacadeError && err.code === 'BAD_USER_INPUT') return null;
    throw err;
  }
  for (const [i, chunk] of chunks.entries()) {
    const got = answers[i]!;
    if (!holdsEvery(chunk, got, room[i]!)) {
      // Nothing of a group that has volumes came back: this Cinder compared the list as one string.
      if (got.length === 0) noListFilters.set(client, Date.now() + LIST_FILTERS_RETRY_MS);
      return null;
    }
    for (const v of got) out.get(v.group_id ?? '')?.push(v);
  }
  return out;
}
