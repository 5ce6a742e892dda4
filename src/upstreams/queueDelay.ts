/**
 * The shortest stretch over which a queue must have made every call wait before it counts as standing: longer than
 * any burst the queue is there to absorb (with 100 ms, back-to-back bursts of 180 reads were half refused).
 */
export const STANDING_WINDOW_MS = 1_000;
/** Weight of one call in the smoothed time a call holds its slot (an exponential moving average over ~16 calls). */
const HOLD_WEIGHT = 1 / 16;

/**
 * Whether an upstream's bulkhead queue is standing rather than absorbing a burst (as CoDel tells them apart): over a
 * whole window (STANDING_WINDOW_MS, or two calls' time if longer) every call that got a slot had waited for it
 * longer than a call holds one. A burst passes through in a round trip or two and leaves some calls unqueued; a
 * standing queue only adds waiting, and the requests whose calls wait in it hold their memory meanwhile, which is
 * what made a facade at 8x its saturating load serve fewer screens than at 2x (issue 18, bench overload).
 */
export class QueueDelay {
  private holdMs = 0;
  private windowStart: number;
  private windowMin = Number.POSITIVE_INFINITY;
  private standingNow = false;

  /** `now`: the clock waits and holds are measured on (the Bulkhead reads it too). */
  constructor(readonly now: () => number = () => performance.now()) {
    this.windowStart = now();
  }

  /** A call got its slot after waiting `waitedMs` (0: a slot was free). */
  entered(waitedMs: number): void {
    const now = this.now();
    if (now - this.windowStart >= Math.max(STANDING_WINDOW_MS, 2 * this.holdMs)) {
      this.standingNow = this.windowMin !== Number.POSITIVE_INFINITY && this.windowMin > this.holdMs;
      this.windowStart = now;
      this.windowMin = waitedMs;
    } else if (waitedMs < this.windowMin) {
      this.windowMin = waitedMs;
    }
  }

  /** A call gave its slot back after holding it `heldMs`. */
  left(heldMs: number): void {
    this.holdMs += (heldMs - this.holdMs) * HOLD_WEIGHT;
  }

  /** The last whole window saw a standing queue; `queued`: calls waiting now (none waiting: nothing stands). */
  standing(queued: number): boolean {
    return this.standingNow && queued > 0;
  }

  /** The smoothed time a call holds its slot, in ms. */
  get callMs(): number {
    return this.holdMs;
  }
}
