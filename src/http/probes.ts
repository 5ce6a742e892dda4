import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AboutShape } from '../graphql/about.js';
import type { Protection } from '../observability/metrics.js';
import { readiness, upstreamStates } from './readiness.js';
import { refuse, sendJson } from './respond.js';

/** What the probes read: the door's state, every circuit breaker and bulkhead, and the metrics (when served here). */
export interface ProbeSources {
  draining(): boolean;
  inFlight(): number;
  protections(): Protection[];
  about: AboutShape;
  /** The Prometheus text, or null with metrics off; null too when /metrics has a port of its own. */
  scrape: (() => Promise<{ contentType: string; body: string } | null>) | null;
}

/**
 * /healthz (the process answers), /readyz (readiness.ts) and /metrics on the GraphQL port: true once answered, false
 * for any other path (and for /metrics with metrics off, which is then a plain 404).
 */
export async function answeredProbe(req: IncomingMessage, res: ServerResponse, pathname: string, from: ProbeSources): Promise<boolean> {
  if (pathname !== '/healthz' && pathname !== '/readyz' && (pathname !== '/metrics' || !from.scrape)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    refuse(res, 405, 'BAD_REQUEST', `${req.method} is not served here; ${pathname} answers GET and HEAD.`);
    return true;
  }
  if (pathname === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (pathname === '/readyz') {
    const protections = from.protections();
    const ready = readiness(from.draining(), protections);
    sendJson(res, ready.httpStatus, {
      status: ready.status,
      ...(ready.open.length ? { open: ready.open } : {}),
      ...(ready.unreachable.length ? { unreachable: ready.unreachable } : {}),
      inFlight: from.inFlight(),
      upstreams: upstreamStates(protections, from.about),
    });
    return true;
  }
  const scraped = await from.scrape!();
  if (!scraped) return false;
  res.writeHead(200, { 'content-type': scraped.contentType });
  res.end(scraped.body);
  return true;
}
