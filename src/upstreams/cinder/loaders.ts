import DataLoader from 'dataloader';
import type { Caller } from '../caller.js';
import { CollectionSizes, byIdLoader, byIdOrListing, childrenByParent, once, settle } from '../loaders.js';
import type { CinderClient } from './client.js';
import type { CinderGroup, CinderGroupSnapshot, CinderGroupType, CinderVolume, CinderVolumeType } from './types.js';

/** Per-request loaders for one caller: every Cinder object is fetched at most once per GraphQL request. */
export function createCinderLoaders(client: CinderClient, caller: Caller) {
  // Several ids at once (the groups of a page of snapshots, the source snapshots of a page of groups): one
  // bounded detail listing rather than N shows.
  const groupById = byIdOrListing<CinderGroup>(
    (id) => client.showGroup(caller, id),
    (max) => client.listAll((o) => client.listGroups(caller, o), undefined, max),
    CollectionSizes.key('cinder', 'groups', caller),
  );
  const groupSnapshotById = byIdOrListing<CinderGroupSnapshot>(
    (id) => client.showGroupSnapshot(caller, id),
    (max) => client.listAll((o) => client.listGroupSnapshots(caller, o), undefined, max),
    CollectionSizes.key('cinder', 'group_snapshots', caller),
  );
  const volumeById = byIdLoader<CinderVolume>((id) => client.showVolume(caller, id));

  // Types are few per cloud: for several ids one listing beats N shows. A listing prefetched with a page of
  // groups answers even one id.
  const allGroupTypes = once(() => client.listAll((o) => client.listGroupTypes(caller, o)));
  const allVolumeTypes = once(() => client.listAll((o) => client.listVolumeTypes(caller, o)));
  const groupTypeById = byIdLoader<CinderGroupType>(
    (id) => client.showGroupType(caller, id),
    async () => new Map((await allGroupTypes.get()).map((t) => [t.id, t])),
    () => allGroupTypes.started,
  );
  const volumeTypeById = byIdLoader<CinderVolumeType>(
    (id) => client.showVolumeType(caller, id),
    async () => new Map((await allVolumeTypes.get()).map((t) => [t.id, t])),
    () => allVolumeTypes.started,
  );

  const volumesByGroupId = childrenByParent<CinderVolume>(
    (filters, max) => client.listAll((o) => client.listVolumes(caller, o), filters, max),
    'group_id',
    (v) => v.group_id,
    (v) => volumeById.prime(v.id, v),
    CollectionSizes.key('cinder', 'volumes', caller),
  );
  const snapshotsByGroupId = childrenByParent<CinderGroupSnapshot>(
    (filters, max) => client.listAll((o) => client.listGroupSnapshots(caller, o), filters, max),
    'group_id',
    (s) => s.group_id,
    (s) => groupSnapshotById.prime(s.id, s),
    CollectionSizes.key('cinder', 'group_snapshots', caller),
  );

  const replicationTargetsByGroupId = new DataLoader<string, { backend_id: string }[]>((ids) =>
    settle(ids.map((id) => client.listReplicationTargets(caller, id))),
  );

  return {
    groupById,
    groupSnapshotById,
    groupTypeById,
    volumeTypeById,
    volumeById,
    volumesByGroupId,
    snapshotsByGroupId,
    replicationTargetsByGroupId,
    /**
     * A page of up to `groups` groups is on its way and the query wants these of each: start the reads the
     * planner would make for them now, in parallel with the page (one round trip instead of two).
     */
    prefetchForGroups(groups: number, wants: { groupType: boolean; volumeTypes: boolean; volumes: boolean; snapshots: boolean }) {
      if (groups < 2) return;
      if (wants.groupType) allGroupTypes.prefetch();
      if (wants.volumeTypes) allVolumeTypes.prefetch();
      if (wants.volumes) volumesByGroupId.prefetch(groups);
      if (wants.snapshots) snapshotsByGroupId.prefetch(groups);
    },
    /** After a write: forget everything this request knew about the group. */
    forgetGroup(id: string) {
      groupById.clear(id);
      volumesByGroupId.clear(id);
      snapshotsByGroupId.clear(id);
      replicationTargetsByGroupId.clear(id);
    },
    forgetGroupSnapshot(id: string) {
      groupSnapshotById.clear(id);
      snapshotsByGroupId.clearAll();
    },
  };
}

export type CinderLoaders = ReturnType<typeof createCinderLoaders>;
