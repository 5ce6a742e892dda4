import type { ShareTypeResolvers } from '../../generated/graphql.js';
import { keyValues } from '../cinder/keyValues.js';

function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return /^(true|t|1|yes|on|y)$/i.test(v.trim()) ? true : /^(false|f|0|no|off|n)$/i.test(v.trim()) ? false : null;
  return null;
}

export const ShareType: ShareTypeResolvers = {
  description: (t) => t.description ?? null,
  isPublic: (t) => t['share_type_access:is_public'] ?? t['os-share-type-access:is_public'] ?? true,
  isDefault: (t) => t.is_default ?? null,
  // extra_specs keeps what was sent ("False"); required_extra_specs may echo a JSON boolean.
  driverHandlesShareServers: (t) =>
    bool(t.extra_specs?.driver_handles_share_servers ?? t.required_extra_specs?.driver_handles_share_servers),
  extraSpecs: (t) => keyValues(t.extra_specs, 'manila'),
};
