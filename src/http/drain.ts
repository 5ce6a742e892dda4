import type { Server } from 'node:http';
import type { Admission } from './admission.js';
import type { BodyReader } from './body.js';
import type { WaitingConnections } from './connections.js';

/**
 * Graceful stop of the HTTP side: refuse new work (503 SHUTTING_DOWN, /readyz 503 `draining`), end the bodies still
 * arriving, let admitted requests finish within `graceMs`, then cut whatever is still open. Resolves, once the
 * server is closed, with how many admitted requests were still running when the grace period ended.
 */
export async function drainServer(server: Server, connections: WaitingConnections, admission: Admission, bodies: BodyReader, graceMs: number): Promise<number> {
  admission.close();
  // A slow client must not hold the shutdown for BODY_TIMEOUT_MS.
  bodies.refuseAll('The server is shutting down; retry on another instance.');
  // Still listening while admitted requests finish: a probe sees /readyz say 503 `draining`, not a refused
  // connection, and a new request is refused with 503 SHUTTING_DOWN; every answer now closes its connection.
  server.closeIdleConnections();
  connections.closeSilent();
  const graceOver = new Promise<void>((r) => setTimeout(r, graceMs).unref());
  await Promise.race([admission.whenIdle(), graceOver]);
  const left = admission.inFlight;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Nothing admitted is left to answer: a connection still sending its headers would only be refused.
  connections.closeWaiting();
  // Whatever is still open after the grace period (a stuck client) is cut.
  const cutAll = () => {
    admission.cutting = true;
    server.closeAllConnections();
  };
  await Promise.race([closed, graceOver.then(cutAll)]);
  if (left > 0) cutAll();
  await closed;
  return left;
}
