import type { ProtectionGroupResolvers } from '../../generated/graphql.js';
import { memberConnection } from './memberConnection.js';
import { allowedActions } from './preconditions.js';
import { priorityStation, protectionGroupStatus, protectionState } from './statuses.js';

export const ProtectionGroup: ProtectionGroupResolvers = {
  status: (g) => protectionGroupStatus(g.status),
  rawStatus: (g) => g.status,
  protectionState: (g) => protectionState(protectionGroupStatus(g.status)),
  allowedActions: (g, _, ctx) => allowedActions(g, ctx),
  progress: (g) => g.progress ?? null,
  sourceAvailabilityZone: (g) => g.source_availability_zone ?? null,
  targetAvailabilityZone: (g) => g.target_availability_zone ?? null,
  // The AZ fields keep their creation-time meaning; priority_station says which one is production now.
  productionAvailabilityZone: (g) => {
    const station = priorityStation(g.priority_station);
    if (station === 'SOURCE') return g.source_availability_zone ?? null;
    if (station === 'TARGET') return g.target_availability_zone ?? null;
    return null;
  },
  domainId: (g) => g.domain_id ?? null,
  domainName: (g) => g.domain_name ?? null,
  priorityStation: (g) => priorityStation(g.priority_station),
  protectedInstanceNum: (g) => g.protected_instance_num ?? null,
  replicationNum: (g) => g.replication_num ?? null,
  disasterRecoveryDrillNum: (g) => g.disaster_recovery_drill_num ?? null,
  protectedStatus: (g) => g.protected_status ?? null,
  replicationStatus: (g) => g.replication_status ?? null,
  healthStatus: (g) => g.health_status ?? null,
  sourceVpcId: (g) => g.source_vpc_id ?? null,
  targetVpcId: (g) => g.target_vpc_id ?? null,
  testVpcId: (g) => g.test_vpc_id ?? null,
  drType: (g) => g.dr_type ?? null,
  createdAt: (g) => g.created_at ?? null,
  updatedAt: (g) => g.updated_at ?? null,
  protectionType: (g) => g.protection_type ?? null,
  replicationModel: (g) => g.replication_model ?? null,
  serverType: (g) => g.server_type ?? null,
  protectedInstances: (g, args, ctx) => {
    const { loaders } = ctx.sdrs();
    return memberConnection(ctx, 'instances', g.id, args, loaders.instancesByGroupId, loaders.instanceById);
  },
  replicationPairs: (g, args, ctx) => {
    const { loaders } = ctx.sdrs();
    return memberConnection(ctx, 'pairs', g.id, args, loaders.pairsByGroupId, loaders.pairById);
  },
  drills: (g, args, ctx) => {
    const { loaders } = ctx.sdrs();
    return memberConnection(ctx, 'drills', g.id, args, loaders.drillsByGroupId, loaders.drillById);
  },
};
