import type { ReplicationPairResolvers } from '../../generated/graphql.js';
import { faultLevel, priorityStation, replicationPairStatus } from './statuses.js';

export const ReplicationPair: ReplicationPairResolvers = {
  description: (p) => p.description ?? null,
  status: (p) => replicationPairStatus(p.status),
  rawStatus: (p) => p.status,
  progress: (p) => p.progress ?? null,
  replicationStatus: (p) => p.replication_status ?? null,
  replicationModel: (p) => p.replication_model ?? null,
  // One comma-separated string on the wire, like a job's `volume_ids`.
  volumeIds: (p) => (typeof p.volume_ids === 'string' ? p.volume_ids : '').split(',').map((v) => v.trim()).filter((v) => v.length > 0),
  priorityStation: (p) => priorityStation(p.priority_station),
  faultLevel: (p) => faultLevel(p.fault_level),
  rawFaultLevel: (p) => (typeof p.fault_level === 'string' || typeof p.fault_level === 'number' ? String(p.fault_level) : null),
  volumeSize: (p) => p.record_metadata?.volume_size ?? null,
  volumeType: (p) => p.record_metadata?.volume_type ?? null,
  bootable: (p) => p.record_metadata?.bootable ?? null,
  multiattach: (p) => p.record_metadata?.multiattach ?? null,
  failureDetail: (p) => p.failure_detail ?? null,
  createdAt: (p) => p.created_at ?? null,
  updatedAt: (p) => p.updated_at ?? null,
  protectionGroupId: (p) => p.server_group_id,
  protectionGroup: (p, _, ctx) => ctx.sdrs().loaders.groupById.load(p.server_group_id),
  device: (p) => p.attachment?.[0]?.device ?? null,
  protectedInstanceId: (p) => p.attachment?.[0]?.protected_instance ?? null,
  protectedInstance: (p, _, ctx) => {
    const id = p.attachment?.[0]?.protected_instance;
    return id ? ctx.sdrs().loaders.instanceOf(p.server_group_id, id) : null;
  },
};
