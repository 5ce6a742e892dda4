import type { Upstreams } from '../context.js';
import type { AboutShape } from '../graphql/about.js';

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
