import { type EventLoopUtilization, performance } from 'node:perf_hooks';

/**
 * How long a round trip to one upstream takes: the fastest time from sending a call to its response headers
 * among the last few calls. The fastest, not the average, because queueing (in the upstream or in this busy
 * event loop) only ever adds to it: what is left is what a round trip costs at best, which is what a planner
 * saves by not making one.
 */
export class RoundTripClock {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly window = 16) {}

  record(ms: number): void {
    if (!(ms >= 0)) return;
    if (this.samples.length < this.window) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.window;
  }

  /** Milliseconds; undefined until a call has been answered. */
  fastest(): number | undefined {
    if (this.samples.length === 0) return undefined;
    let min = this.samples[0]!;
    for (const s of this.samples) if (s < min) min = s;
    return min;
  }
}

/**
 * How busy this process's event loop has been over the last second or so (0 idle … 1 saturated), from Node's
 * event-loop utilisation. Sampled by an unref'd timer started on first use.
 */
export class LoopLoad {
  private last: EventLoopUtilization | undefined;
  private value = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 1_000) {}

  busy(): number {
    if (!this.timer) {
      this.last = performance.eventLoopUtilization();
      this.timer = setInterval(() => {
        const now = performance.eventLoopUtilization();
        this.value = performance.eventLoopUtilization(now, this.last).utilization;
        this.last = now;
      }, this.intervalMs).unref();
    }
    return this.value;
  }
}

export const loopLoad = new LoopLoad();

/**
 * Above this share of its time busy, the facade stops spending CPU on reads made only to save latency: when
 * the CPU is what requests wait for, the extra items would cost more time than the round trip they save.
 */
export const BUSY_LIMIT = 0.85;

/** Below this, a round trip is cheaper than reading ahead: the upstream is next door. */
export const LOCAL_ROUND_TRIP_MS = 2;
/** Facade CPU per listed item read and parsed (a Cinder volume is ~1.1 KB of JSON), measured with npm run bench. */
export const MS_PER_LISTED_ITEM = 0.007;

/**
 * Whether reading up to `items` more than the exact read would (a listing started with the page, before the
 * parents are known) is worth the round trip it saves: yes while the upstream's round trips are unknown or cost
 * more than parsing the extra items; no for an upstream on the same host or rack, nor while this process is
 * short of CPU (`busy`, 0…1).
 */
export function worthReadingAhead(clock: RoundTripClock, items: number, busy = loopLoad.busy()): boolean {
  if (busy >= BUSY_LIMIT) return false;
  const rtt = clock.fastest();
  return rtt === undefined || rtt >= Math.max(LOCAL_ROUND_TRIP_MS, items * MS_PER_LISTED_ITEM);
}
