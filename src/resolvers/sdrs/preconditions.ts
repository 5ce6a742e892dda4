import type { ProtectionGroupAction } from '../../generated/graphql.js';
import type { RequestContext } from '../../context.js';
import type { SdrsProtectedInstance, SdrsProtectionGroup, SdrsReplicationPair } from '../../upstreams/sdrs/types.js';
import { countOf } from '../../upstreams/wire.js';
import { allowedByStatus, faultLevel, protectionGroupStatus } from './statuses.js';

// "The protection group must have replication pairs" (enabling protection, failover, planned failover pages).
const NEEDS_PAIRS: ReadonlySet<ProtectionGroupAction> = new Set(['START_PROTECTION', 'FAILOVER', 'REVERSE']);

/**
 * The actions the API reference's preconditions allow, as far as the facade can see them:
 * - the group's status (statuses.ts);
 * - replication pairs exist, from the group's own `replication_num`;
 * - no protected instance is `invalid` ("If the server at the production site or DR site in a protected instance
 *   is deleted using the native interface, no operations can be performed on the protected instance or the
 *   protection group", failover page);
 * - no pair has `fault_level` 5 for a failover ("The replication link is disconnected. In this case, a failover is
 *   not allowed", pair pages);
 * - delete: no protected instances, replication pairs or DR drills ("Deleting a Protection Group").
 * Instances and pairs come from the batched by-group listings, read only for a group whose status allows an
 * action that needs them (and only when it has any), so a page of groups adds at most one listing per kind.
 */
export async function allowedActions(g: SdrsProtectionGroup, ctx: RequestContext): Promise<ProtectionGroupAction[]> {
  const byStatus = allowedByStatus(protectionGroupStatus(g.status));
  if (byStatus.length === 0) return byStatus;
  // A counter that is no count (wire.ts countOf) is left out, so the listing counts.
  const counters = { instances: countOf(g.protected_instance_num), pairs: countOf(g.replication_num), drills: countOf(g.disaster_recovery_drill_num) };
  const deleting = byStatus.includes('DELETE');
  const protecting = byStatus.filter((a) => a !== 'DELETE');
  // A counter SDRS left out (null) is counted from the listing instead.
  const read = {
    instances: (protecting.length > 0 && (counters.instances ?? 1) > 0) || (deleting && counters.instances == null),
    pairs:
      (protecting.includes('FAILOVER') && (counters.pairs ?? 1) > 0) ||
      ((deleting || protecting.some((a) => NEEDS_PAIRS.has(a))) && counters.pairs == null),
    drills: deleting && counters.drills == null,
  };
  const { loaders } = ctx.sdrs();
  const [instances, pairs, drills] = await Promise.all([
    read.instances ? loaders.instancesByGroupId.load(g.id) : null,
    read.pairs ? loaders.pairsByGroupId.load(g.id) : null,
    read.drills ? loaders.drillsByGroupId.load(g.id) : null,
  ]);
  const count = (n: number | null | undefined, list: unknown[] | null) => n ?? list?.length ?? 0;
  const nInstances = count(counters.instances, instances);
  const nPairs = count(counters.pairs, pairs);
  const nDrills = count(counters.drills, drills);
  const blocked = (instances ?? []).some((i: SdrsProtectedInstance) => i.status === 'invalid');
  const linkDown = (pairs ?? []).some((p: SdrsReplicationPair) => faultLevel(p.fault_level) === 'REPLICATION_LINK_DOWN');
  return byStatus.filter((a) => {
    if (a === 'DELETE') return nInstances === 0 && nPairs === 0 && nDrills === 0;
    if (blocked) return false;
    if (NEEDS_PAIRS.has(a) && nPairs === 0) return false;
    return !(a === 'FAILOVER' && linkDown);
  });
}
