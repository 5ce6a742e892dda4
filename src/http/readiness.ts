import type { Upstreams } from '../context.js';
import type { AboutShape } from '../graphql/about.js';
import type { Protection } from '../observability/metrics.js';

/** What /readyz says about each upstream: its mode, its circuit breaker and its bulkhead, never a live call. */
export function upstreamStates(upstreams: Upstreams, about: AboutShape) {
  const out: Record<string, { mode: string; circuit: string | null; inFlight: number | null; queued: number | null }> = {};
  for (const s of about.services) {
    const http = upstreams[s.name]?.http;
    out[s.name] = {
      mode: s.mode,
      circuit: http?.breaker.state ?? null,
      inFlight: http?.bulkhead.inFlight ?? null,
      queued: http?.bulkhead.queued ?? null,
    };
  }
  return out;
}

export interface Readiness {
  status: 'ready' | 'degraded' | 'not-ready' | 'draining';
  httpStatus: 200 | 503;
  /** Upstreams whose circuit is open: `cinder`, or `cinder http://host:port` where a service has several hosts. */
  open: string[];
}

/**
 * Whether a load balancer should send this instance traffic. Not while draining; not while every configured
 * upstream's circuit is open (each host's, with Keystone), nor while Keystone's is (no request can pass the identity
 * gate): every answer would be an error. Some open: `degraded`, still 200, since the other services answer. A
 * half-open circuit is letting a probe through, so it counts as not open. No upstream yet (with Keystone, hosts
 * appear with the first callers): ready.
 */
export function readiness(draining: boolean, protections: Protection[]): Readiness {
  const perService = new Map<string, number>();
  for (const p of protections) perService.set(p.service, (perService.get(p.service) ?? 0) + 1);
  const openOnes = protections.filter((p) => p.breaker.state === 'open');
  const open = openOnes.map((p) => ((perService.get(p.service) ?? 0) > 1 ? `${p.service} ${p.host}` : p.service));
  if (draining) return { status: 'draining', httpStatus: 503, open };
  if (openOnes.length > 0 && (openOnes.length === protections.length || openOnes.some((p) => p.service === 'keystone'))) {
    return { status: 'not-ready', httpStatus: 503, open };
  }
  return { status: openOnes.length > 0 ? 'degraded' : 'ready', httpStatus: 200, open };
}
