import type { ServerResponse } from 'node:http';
import type { Refusal } from './admission.js';
import { refuse } from './respond.js';

/** How long a refusal is held when its connection was refused less than Retry-After ago. */
export const REPEAT_REFUSAL_HOLD_MS = 100;

/**
 * Paces clients that retry at once after a 503, ignoring its Retry-After. The first refusal on a connection is
 * sent at once; a request on the same connection within Retry-After of the last refusal is refused too, but its
 * 503 leaves only after REPEAT_REFUSAL_HOLD_MS. A refusal costs the facade one HTTP exchange (~30 µs, most of it
 * the kernel's write); a client looping on refusals at loopback speed sends thousands a second, and a few hundred
 * such clients took a third of the facade's CPU from the requests it had admitted (bench overload scenario: 14,000
 * refusals/s at 8x the saturating load). Held, each costs ten a second. Whether a request is admitted is still
 * decided when it arrives, so pacing never keeps a client out of a free slot; a client that honours Retry-After
 * is never held.
 */
export class RefusalPacing {
  /** When each connection's last refusal was (or will be) sent. */
  private readonly lastRefusal = new WeakMap<object, number>();

  constructor(
    private readonly holdMs = REPEAT_REFUSAL_HOLD_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A refusal is about to go out on `connection`: how long to hold it (0: send it now). */
  holdFor(connection: object | null, retryAfterSeconds: number): number {
    if (!connection) return 0;
    const now = this.now();
    const last = this.lastRefusal.get(connection);
    const hold = last !== undefined && now - last < retryAfterSeconds * 1000 ? this.holdMs : 0;
    this.lastRefusal.set(connection, now + hold);
    return hold;
  }

  /** Waits as long as a refusal about to go out on `connection` is held (see holdFor). */
  async hold(connection: object | null, retryAfterSeconds: number): Promise<void> {
    const ms = this.holdFor(connection, retryAfterSeconds);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms).unref());
  }

  /** The connection got a request admitted: its next refusal is a first one again. */
  admitted(connection: object | null): void {
    if (connection) this.lastRefusal.delete(connection);
  }
}

/**
 * 503 for load, 429 for a caller at its own limit or an address whose tokens were refused too often (either at
 * once, or held for a client that came back before Retry-After), or 503 for a drain (closes).
 */
export async function shed(res: ServerResponse, refusal: Refusal, pacing: RefusalPacing): Promise<void> {
  const draining = refusal.kind === 'shutting-down';
  if (!draining) await pacing.hold(res.socket, 1);
  const [status, code] = refusalAnswer(refusal);
  const retryAfter = draining ? 5 : refusal.kind === 'refused-tokens' ? refusal.retryAfter : 1;
  refuse(res, status, code, refusal.message, { retryAfter, close: draining });
}

/** The HTTP status and `extensions.code` of a door refusal (subscriptions answer it the same way). */
export function refusalAnswer(refusal: Refusal): [number, 'SHUTTING_DOWN' | 'OVERLOADED' | 'TOO_MANY_REQUESTS' | 'TOO_MANY_REFUSED_TOKENS'] {
  if (refusal.kind === 'shutting-down') return [503, 'SHUTTING_DOWN'];
  if (refusal.kind === 'refused-tokens') return [429, 'TOO_MANY_REFUSED_TOKENS'];
  return refusal.kind === 'caller' ? [429, 'TOO_MANY_REQUESTS'] : [503, 'OVERLOADED'];
}
