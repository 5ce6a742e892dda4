import { InputError } from '../../errors.js';
import { MAX_WAIT_SECONDS } from '../../upstreams/sdrs/jobs.js';

/** `waitSeconds` -> milliseconds to follow a job, or null for "read it once". Checked before any upstream call. */
export function waitMillis(waitSeconds: number | null | undefined): number | null {
  if (waitSeconds === null || waitSeconds === undefined) return null;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
    throw new InputError(`"waitSeconds" must be between 0 and ${MAX_WAIT_SECONDS}, got ${waitSeconds}.`);
  }
  return waitSeconds * 1000;
}
