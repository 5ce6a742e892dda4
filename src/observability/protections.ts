import type { IdentityAdmission, Upstreams } from '../context.js';
import type { Protection } from './metrics.js';

/**
 * Every circuit breaker and bulkhead of a facade, by service and host: the process-wide clients', and with Keystone
 * each host's (src/identity/directory.ts, shared by the endpoints of all projects there) and Keystone's own.
 */
export function protectionsOf(upstreams: Upstreams, identity: IdentityAdmission | null): () => Protection[] {
  return () => {
    const out: Protection[] = [];
    for (const service of ['cinder', 'manila', 'sdrs'] as const) {
      const http = upstreams[service]?.http;
      // With a required Keystone the process-wide clients are never used (each caller has its own): not counted.
      if (http && !identity?.required) out.push({ service, host: new URL(http.endpoint).origin, breaker: http.breaker, bulkhead: http.bulkhead });
      const pool = identity?.gate.clients[service];
      for (const [host, p] of pool?.hosts() ?? []) {
        // A host the process-wide client shares (app.ts adopts its protections): listed once.
        if (p.breaker !== http?.breaker || identity?.required) out.push({ service, host, breaker: p.breaker, bulkhead: p.bulkhead });
      }
    }
    const keystone = identity?.gate.keystone.http;
    if (keystone) out.push({ service: 'keystone', host: new URL(keystone.endpoint).origin, breaker: keystone.breaker, bulkhead: keystone.bulkhead });
    return out;
  };
}
