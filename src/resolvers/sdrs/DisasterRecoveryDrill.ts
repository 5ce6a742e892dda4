import type { DisasterRecoveryDrillResolvers, DrillServerResolvers } from '../../generated/graphql.js';
import type { SdrsDrillServer } from '../../upstreams/sdrs/types.js';
import { objectsOf } from '../../upstreams/wire.js';
import { drillStatus } from './statuses.js';

/** A drill server with its drill's group, so its instance is read with the group's instances. */
export interface DrillServerShape extends SdrsDrillServer {
  groupId: string;
}

export const DisasterRecoveryDrill: DisasterRecoveryDrillResolvers = {
  status: (d) => drillStatus(d.status),
  rawStatus: (d) => d.status,
  drillVpcId: (d) => d.drill_vpc_id ?? null,
  createdAt: (d) => d.created_at ?? null,
  updatedAt: (d) => d.updated_at ?? null,
  protectionGroupId: (d) => d.server_group_id,
  protectionGroup: (d, _, ctx) => ctx.sdrs().loaders.groupById.load(d.server_group_id),
  drillServers: (d) => objectsOf<SdrsDrillServer>(d.drill_servers, 'sdrs', 'drill servers').map((s) => ({ ...s, groupId: d.server_group_id })),
};

export const DrillServer: DrillServerResolvers = {
  protectedInstanceId: (s) => s.protected_instance ?? null,
  drillServerId: (s) => s.drill_server_id,
  protectedInstance: (s, _, ctx) => (s.protected_instance ? ctx.sdrs().loaders.instanceOf(s.groupId, s.protected_instance) : null),
};
