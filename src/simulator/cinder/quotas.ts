// Quota reservations of creates, as Cinder makes them before it writes a row (volume/flows/api/create_volume.py
// QuotaReserveTask, group/api.py create, quota_utils.process_reserve_over_quota): over a limit, the create is
// refused with a QuotaError (413 overLimit, Retry-After 0) and nothing is written. A limit of -1 is unlimited.
import type { CinderState } from './state.js';
import { CinderFault } from './wire.js';

/** A QuotaError: the FaultWrapper shows it as '<exception class>: <message>' (it is `safe`). */
const quotaFault = (exceptionClass: string, message: string) => new CinderFault(413, `${exceptionClass}: ${message}`);

/** One volume to reserve for: its size and type (the per-type quotas are `volumes_<type>`, `gigabytes_<type>`). */
export interface VolumeToReserve {
  size: number;
  typeId: string;
}

/**
 * Refuses the volumes unless the project's quotas hold them all, reserved one after another as Cinder's flows do.
 * `withGigabytes` false: volumes made from a group snapshot reserve only `volumes` (QuotaReserveTask).
 */
export function reserveVolumes(state: CinderState, projectId: string, volumes: readonly VolumeToReserve[], withGigabytes = true): void {
  const usage = state.quotaUsage(projectId);
  const reserved = new Map<string, number>();
  for (const { size, typeId } of volumes) {
    checkPerVolumeLimit(usage.per_volume_gigabytes?.limit ?? -1, size);
    const typeName = state.volumeTypes.get(typeId)?.name;
    // The order of the reservation's deltas: the first resource over its limit names the error.
    const deltas: [string, number][] = [['volumes', 1]];
    if (withGigabytes) deltas.push(['gigabytes', size]);
    if (typeName !== undefined) {
      deltas.push([`volumes_${typeName}`, 1]);
      if (withGigabytes) deltas.push([`gigabytes_${typeName}`, size]);
    }
    for (const [key, delta] of deltas) {
      const q = usage[key];
      if (!q) continue;
      const consumed = q.in_use + q.reserved + (reserved.get(key) ?? 0);
      if (q.limit >= 0 && q.limit < consumed + delta) throw volumeOverQuota(key, q.limit, consumed, size);
      reserved.set(key, (reserved.get(key) ?? 0) + delta);
    }
  }
}

/** `QUOTAS.limit_check(per_volume_gigabytes=size)`, before any reservation. */
function checkPerVolumeLimit(limit: number, size: number): void {
  if (limit >= 0 && size > limit) {
    throw quotaFault('VolumeSizeExceedsLimit', `Requested volume size ${size}G is larger than maximum allowed limit ${limit}G.`);
  }
}

function volumeOverQuota(key: string, limit: number, consumed: number, size: number): CinderFault {
  // process_reserve_over_quota tests 'gigabytes' in the resource name first: gigabytes_<type> is a size refusal too.
  if (key.includes('gigabytes')) {
    return quotaFault(
      'VolumeSizeExceedsAvailableQuota',
      `Requested volume or snapshot exceeds allowed ${key} quota. Requested ${size}G, quota is ${limit}G and ${consumed}G has been consumed.`,
    );
  }
  return quotaFault('VolumeLimitExceeded', `Maximum number of volumes allowed (${limit}) exceeded for quota '${key}'.`);
}

/** `GROUP_QUOTAS.reserve(groups=1)`: create and create-from-src alike. */
export function reserveGroup(state: CinderState, projectId: string): void {
  const q = state.quotaUsage(projectId).groups;
  if (q && q.limit >= 0 && q.limit < q.in_use + q.reserved + 1) {
    // GroupLimitExceeded's template ends without a full stop.
    throw quotaFault('GroupLimitExceeded', `Maximum number of groups allowed (${q.limit}) exceeded`);
  }
}
