/**
 * The wait loop behind `waitSeconds`: read an object again and again, with a growing pause, until it has settled
 * or the time is up, then hand back the last reading. Knows nothing of GraphQL or of any upstream.
 */

/** The pause before the next read, given how many reads were made so far and how long the wait has run. */
export type PauseSchedule = (reads: number, elapsedMs: number) => number;

/** 250 ms, 500 ms, then 1 s between reads: quick for the fast transitions, gentle on the upstream for slow ones. */
export const BACKOFF_TO_ONE_SECOND: PauseSchedule = (reads) => [250, 500][reads - 1] ?? 1_000;

export interface SettleOptions<T> {
  /** One fresh read of the object (null: it is gone). Never a cached answer. */
  read: () => Promise<T>;
  settled: (value: T) => boolean;
  /** How long the caller is willing to wait, in ms; 0 reads once. */
  waitMs: number;
  /** Epoch ms the last read must start by, whatever `waitMs` says (the request's deadline, less time to answer). */
  deadline?: number;
  schedule?: PauseSchedule;
  /**
   * A failed read after the first: false (default) ends the wait with that error; true ends it with the reading
   * before, unsettled (the write it follows has happened, and the client must still learn what it made).
   */
  keepLastOnError?: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SettleResult<T> {
  value: T;
  settled: boolean;
  /** Reads made, the first included. */
  reads: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads once at once, then after each pause of `schedule` until `settled` says so or the time is up. Never sleeps
 * past the end of the wait; the last read starts at that end at the latest. The first read's failure is thrown.
 */
export async function waitUntilSettled<T>(opts: SettleOptions<T>): Promise<SettleResult<T>> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const schedule = opts.schedule ?? BACKOFF_TO_ONE_SECOND;
  const started = now();
  const end = Math.min(started + Math.max(0, opts.waitMs), opts.deadline ?? Number.POSITIVE_INFINITY);
  let value = await opts.read();
  let reads = 1;
  while (!opts.settled(value)) {
    const left = end - now();
    if (left <= 0) return { value, settled: false, reads };
    await sleep(Math.min(schedule(reads, now() - started), left));
    try {
      value = await opts.read();
    } catch (error) {
      if (!opts.keepLastOnError) throw error;
      return { value, settled: false, reads };
    }
    reads++;
  }
  return { value, settled: true, reads };
}
