import type { ProtectedInstanceAttachmentResolvers, ProtectedInstanceResolvers } from '../../generated/graphql.js';
import type { SdrsInstanceAttachment, SdrsProtectedInstance, SdrsReplicationPair } from '../../upstreams/sdrs/types.js';
import { objectsOf } from '../../upstreams/wire.js';
import { priorityStation, protectedInstanceStatus } from './statuses.js';

/** An attachment with its instance's group, so its pair is read with the group's pairs (not one show per pair). */
export interface AttachmentShape extends SdrsInstanceAttachment {
  groupId: string;
}

export const ProtectedInstance: ProtectedInstanceResolvers = {
  description: (i) => i.description ?? null,
  status: (i) => protectedInstanceStatus(i.status),
  rawStatus: (i) => i.status,
  progress: (i) => i.progress ?? null,
  sourceServerId: (i) => i.source_server ?? null,
  targetServerId: (i) => i.target_server ?? null,
  priorityStation: (i) => priorityStation(i.priority_station),
  productionServerId: (i) => {
    const station = priorityStation(i.priority_station);
    if (station === 'SOURCE') return i.source_server ?? null;
    if (station === 'TARGET') return i.target_server ?? null;
    return null;
  },
  frozen: (i) => i.metadata?.['__system__frozen'] === 'true',
  tags: (i) => objectsOf<{ key?: unknown; value?: unknown }>(i.tags, 'sdrs', 'tags').filter((t) => typeof t.key === 'string').map((t) => ({ key: t.key as string, value: typeof t.value === 'string' ? t.value : null })),
  createdAt: (i) => i.created_at ?? null,
  updatedAt: (i) => i.updated_at ?? null,
  protectionGroupId: (i) => i.server_group_id,
  protectionGroup: (i, _, ctx) => ctx.sdrs().loaders.groupById.load(i.server_group_id),
  attachments: (i) => attachmentsOf(i).map((a) => ({ ...a, groupId: i.server_group_id })),
  replicationPairs: async (i, _, ctx) => {
    const { loaders } = ctx.sdrs();
    const pairs = await Promise.all(attachmentsOf(i).map((a) => loaders.pairOf(i.server_group_id, a.replication)));
    return pairs.filter((p): p is SdrsReplicationPair => p !== null);
  },
};

export const ProtectedInstanceAttachment: ProtectedInstanceAttachmentResolvers = {
  device: (a) => a.device ?? null,
  replicationPairId: (a) => a.replication,
  replicationPair: (a, _, ctx) => ctx.sdrs().loaders.pairOf(a.groupId, a.replication),
};

/** An instance's attachments as SDRS documents them (a list of objects); another type is its error. */
function attachmentsOf(i: SdrsProtectedInstance): SdrsInstanceAttachment[] {
  return objectsOf<SdrsInstanceAttachment>(i.attachment, 'sdrs', 'attachments');
}
