import type { ServiceName } from '../errors.js';

export interface AboutShape {
  services: { name: ServiceName; mode: 'REAL' | 'SIMULATED' | 'ABSENT'; endpoint: string | null }[];
}

/**
 * `about` as this caller may see it. Endpoints carry project ids and internal host names: only a caller with a
 * token sees them (the facade does not check tokens itself; the upstreams do, on the caller's first real call).
 */
export function aboutFor(about: AboutShape, token: string | null): AboutShape {
  if (token) return about;
  return { services: about.services.map((s) => ({ ...s, endpoint: null })) };
}
