import DataLoader from 'dataloader';
import { FacadeError, UpstreamError } from '../../errors.js';
import type { Caller } from '../caller.js';
import { CollectionSizes, Recent, collectionSizes, partition, settle, sharedListing } from '../loaders.js';
import type { CinderClient } from './client.js';
import type { CinderSnapshot } from './types.js';

// The volume snapshots of group snapshots, with a number of calls that does not grow with the group snapshots
// asked for. `group_snapshot_id` is not a filter a member may use (resource_filters.json lists name, status,
// volume_id, metadata, availability_zone, consumes_quota for snapshots): from 3.31 Cinder refuses it with 400, below
// it drops it without a word. So the planner reads the project's snapshot listing and partitions it locally, which
// anyone may do (one call per 1000 snapshots). Only when that listing is larger than the batch's budget does it
// filter per group snapshot, which works for admins; a caller Cinder refuses is remembered (by a hash of the
// token) and gets the whole listing, bounded, instead.

/** One upstream page: reading this much costs the same one call as a filtered read. */
const ONE_PAGE = 1000;
const BUDGET_PER_PARENT = 50;
/** The most a whole-listing read may hold; past it the answer is an error, never a silently short list. */
const MAX_LISTING = 10_000;

/** Callers whose `group_snapshot_id` filter Cinder refused (not admins), by a hash of the token: a planner hint. */
const filterRefused = new Recent<true>(10 * 60_000, 10_000);

const refusedFilter = (err: unknown) => err instanceof FacadeError && err.code === 'BAD_USER_INPUT' && /Invalid filters/.test(err.message);

export function createVolumeSnapshotLoader(client: CinderClient, caller: Caller) {
  const sizeKey = CollectionSizes.ofProject('cinder', 'snapshots', client.http.endpoint, caller);
  const refusedKey = CollectionSizes.key('cinder', 'snapshot-filter-refused', caller);
  // Each read is judged against the limit it was sent with: a longer page's whole read answers a shorter one too.
  const full = sharedListing((max) => client.listAll((o) => client.listSnapshots(caller, o), undefined, max));
  const budgetFor = (parents: number) => Math.max(ONE_PAGE, parents * BUDGET_PER_PARENT);

  async function whole(ids: readonly string[]): Promise<CinderSnapshot[][]> {
    const { items: all, complete } = await full(MAX_LISTING + 1);
    collectionSizes.record(sizeKey, all.length, complete);
    if (!complete) {
      throw new UpstreamError(
        'UPSTREAM_ERROR',
        `This project has more than ${MAX_LISTING} volume snapshots, and this Cinder does not let the caller filter them by group snapshot.`,
        'cinder',
        200,
        null,
        null,
      );
    }
    const byParent = partition(all, ids, (s) => s.group_snapshot_id);
    return ids.map((id) => byParent.get(id) ?? []);
  }

  // Below 3.31 a dropped filter answers every snapshot: keep only the asked group snapshot's.
  const filtered = async (id: string) =>
    (await client.listAll((o) => client.listSnapshots(caller, o), { group_snapshot_id: id }, MAX_LISTING)).filter(
      (s) => s.group_snapshot_id === id,
    );

  const loader = new DataLoader<string, CinderSnapshot[]>(async (ids) => {
    const budget = budgetFor(ids.length);
    if (collectionSizes.atLeast(sizeKey) <= budget) {
      const { items: all, complete } = await full(budget + 1);
      collectionSizes.record(sizeKey, all.length, complete);
      // Complete (a prefetch for a longer page may have read more than this batch's budget): partition it.
      if (complete) {
        const byParent = partition(all, ids, (s) => s.group_snapshot_id);
        return ids.map((id) => byParent.get(id) ?? []);
      }
    }
    if (filterRefused.get(refusedKey)) return whole(ids);
    const answers = await Promise.allSettled(ids.map(filtered));
    if (answers.some((a) => a.status === 'rejected' && refusedFilter(a.reason))) {
      filterRefused.set(refusedKey, true);
      return whole(ids);
    }
    return settle(answers.map((a) => (a.status === 'fulfilled' ? Promise.resolve(a.value) : Promise.reject(a.reason))));
  });

  return Object.assign(loader, {
    /** A page of up to `parents` group snapshots is on its way: start the listing its batch will read, with it. */
    prefetch(parents: number): void {
      const budget = budgetFor(parents);
      if (parents < 1 || collectionSizes.atLeast(sizeKey) > budget) return;
      full(budget + 1).catch(() => {});
    },
  });
}
