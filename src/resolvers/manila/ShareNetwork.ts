import type { ShareNetworkResolvers, ShareNetworkSubnetResolvers } from '../../generated/graphql.js';
import { manilaZoneNamed } from './portal.js';

export const ShareNetwork: ShareNetworkResolvers = {
  projectId: (n) => n.project_id ?? null,
  createdAt: (n) => n.created_at,
  status: (n) => n.status ?? null,
  // From 2.51 the network fields live in share_network_subnets; below they sit on the network itself.
  subnets: (n) => n.share_network_subnets ?? [{ ...n, id: null, availability_zone: null }],
};

export const ShareNetworkSubnet: ShareNetworkSubnetResolvers = {
  id: (s) => s.id ?? null,
  availabilityZone: (s) => s.availability_zone ?? null,
  zone: (s, _, ctx) => manilaZoneNamed(ctx, s.availability_zone),
  neutronNetId: (s) => s.neutron_net_id ?? null,
  neutronSubnetId: (s) => s.neutron_subnet_id ?? null,
  networkType: (s) => s.network_type ?? null,
  segmentationId: (s) => s.segmentation_id ?? null,
  cidr: (s) => s.cidr ?? null,
  ipVersion: (s) => s.ip_version ?? null,
  gateway: (s) => s.gateway ?? null,
  mtu: (s) => s.mtu ?? null,
};
