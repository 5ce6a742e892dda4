import type { AboutShape } from '../graphql/about.js';
import type { Protection } from '../observability/metrics.js';

interface UpstreamState {
  mode: string;
  circuit: string | null;
  inFlight: number | null;
  queued: number | null;
  /** With several hosts (Keystone catalogs naming more than one): each host's own. */
  hosts?: Record<string, { circuit: string; inFlight: number; queued: number }>;
}

/**
 * What /readyz says about each upstream: its mode, its circuit breakers and bulkheads (the same ones readiness
 * judges: with a required Keystone each host's, not the process-wide client no caller uses), never a live call.
 * Several hosts: `circuit` is theirs when they agree, else `mixed`; the counts are summed.
 */
export function upstreamStates(protections: Protection[], about: AboutShape): Record<string, UpstreamState> {
  const out: Record<string, UpstreamState> = {};
  for (const s of about.services) {
    const mine = protections.filter((p) => p.service === s.name);
    const circuits = new Set(mine.map((p) => p.breaker.state));
    out[s.name] = {
      mode: s.mode,
      circuit: mine.length === 0 ? null : circuits.size === 1 ? mine[0]!.breaker.state : 'mixed',
      inFlight: mine.length === 0 ? null : mine.reduce((n, p) => n + p.bulkhead.inFlight, 0),
      queued: mine.length === 0 ? null : mine.reduce((n, p) => n + p.bulkhead.queued, 0),
    };
    if (mine.length > 1) {
      out[s.name]!.hosts = Object.fromEntries(mine.map((p) => [p.host, { circuit: p.breaker.state, inFlight: p.bulkhead.inFlight, queued: p.bulkhead.queued }]));
    }
  }
  return out;
}

export interface Readiness {
  status: 'ready' | 'degraded' | 'not-ready' | 'draining';
  httpStatus: 200 | 503;
  /** Upstreams whose circuit is open: `cinder`, or `cinder http://host:port` where a service has several hosts. */
  open: string[];
  /** Upstreams not reached since start-up (versions.ts) whose circuit is not open, named as in `open`. */
  unreachable: string[];
}

/**
 * Whether a load balancer should send this instance traffic. Not while draining; not while every data service's
 * circuit is open or it has not been reached since start-up (each host's, with Keystone; Keystone answering answers
 * no query), nor while Keystone's circuit is open or it has not been reached (no request can pass the identity
 * gate): every answer would be an error. Some open or unreached: `degraded`, still 200, since the other services answer. A half-open circuit is
 * letting a probe through, so it counts as not open. No upstream yet (with Keystone, hosts appear with the first
 * callers): ready.
 */
export function readiness(draining: boolean, protections: Protection[]): Readiness {
  const perService = new Map<string, number>();
  for (const p of protections) perService.set(p.service, (perService.get(p.service) ?? 0) + 1);
  const named = (p: Protection) => ((perService.get(p.service) ?? 0) > 1 ? `${p.service} ${p.host}` : p.service);
  const isOpen = (p: Protection) => p.breaker.state === 'open';
  const dataServices = protections.filter((p) => p.service !== 'keystone');
  const open = protections.filter(isOpen).map(named);
  // A refused connection at start-up opens no circuit, yet every call to it would fail (versions.ts).
  const down = (p: Protection) => isOpen(p) || p.breaker.unreached;
  const unreachable = protections.filter((p) => p.breaker.unreached && !isOpen(p)).map(named);
  if (draining) return { status: 'draining', httpStatus: 503, open, unreachable };
  const noneAnswers = dataServices.length > 0 && dataServices.every(down);
  if (noneAnswers || protections.some((p) => p.service === 'keystone' && down(p))) {
    return { status: 'not-ready', httpStatus: 503, open, unreachable };
  }
  return { status: open.length + unreachable.length > 0 ? 'degraded' : 'ready', httpStatus: 200, open, unreachable };
}
