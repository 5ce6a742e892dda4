import type { SdrsJob } from './types.js';

/** The longest a client may ask the facade to wait for a job, in seconds (well inside the 60 s request limit). */
export const MAX_WAIT_SECONDS = 30;

/** Poll every 250 ms for the first two seconds (most protection-group jobs that fail, fail fast), then 500 ms. */
const FAST_POLL_MS = 250;
const SLOW_POLL_MS = 500;
const FAST_PHASE_MS = 2_000;

export function isJobFinished(job: Pick<SdrsJob, 'status'>): boolean {
  const s = (job.status ?? '').toUpperCase();
  return s === 'SUCCESS' || s === 'FAIL';
}

export interface FollowOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads the job until it is SUCCESS or FAIL or `waitMs` has passed, and returns it as it stands then. Never
 * sleeps past the deadline; the last read happens at the deadline at the latest (plus that read's own time).
 * A failed read ends the wait with that error: a GET is safe to repeat, but the client can simply ask again.
 */
export async function followJob(read: () => Promise<SdrsJob>, waitMs: number, opts: FollowOptions = {}): Promise<SdrsJob> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? realSleep;
  const started = now();
  const deadline = started + waitMs;
  let job = await read();
  while (!isJobFinished(job)) {
    const left = deadline - now();
    if (left <= 0) break;
    const step = now() - started < FAST_PHASE_MS ? FAST_POLL_MS : SLOW_POLL_MS;
    await sleep(Math.min(step, left));
    job = await read();
  }
  return job;
}
