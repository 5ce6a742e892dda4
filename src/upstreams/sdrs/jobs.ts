import { type PauseSchedule, waitUntilSettled } from '../../live/settle.js';
import type { SdrsJob } from './types.js';

/** The longest a client may ask the facade to wait for a job, in seconds (well inside the 60 s request limit). */
export const MAX_WAIT_SECONDS = 30;

/** Poll every 250 ms for the first two seconds (most protection-group jobs that fail, fail fast), then 500 ms. */
const FAST_POLL_MS = 250;
const SLOW_POLL_MS = 500;
const FAST_PHASE_MS = 2_000;

export function isJobFinished(job: Pick<SdrsJob, 'status'>): boolean {
  // Not a string (an SDRS answering `"status": 7`): not finished, as any status the facade does not know.
  const s = typeof job.status === 'string' ? job.status.toUpperCase() : '';
  return s === 'SUCCESS' || s === 'FAIL';
}

export interface FollowOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** 250 ms for the first two seconds, then 500 ms. */
const jobPause: PauseSchedule = (_reads, elapsedMs) => (elapsedMs < FAST_PHASE_MS ? FAST_POLL_MS : SLOW_POLL_MS);

/**
 * Reads the job until it is SUCCESS or FAIL or `waitMs` has passed, and returns it as it stands then. Never
 * sleeps past the deadline; the last read happens at the deadline at the latest (plus that read's own time).
 * A failed read ends the wait with that error: a GET is safe to repeat, but the client can simply ask again.
 */
export async function followJob(read: () => Promise<SdrsJob>, waitMs: number, opts: FollowOptions = {}): Promise<SdrsJob> {
  const { now, sleep } = opts;
  const { value } = await waitUntilSettled({ read, settled: isJobFinished, waitMs, schedule: jobPause, now, sleep });
  return value;
}
