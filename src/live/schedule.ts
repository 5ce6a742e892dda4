/**
 * When a subscription's poller reads its object again: soon while something happens (the object changed, or sits
 * in a transitional status such as CREATING), then twice as long after each read that found nothing new (or
 * failed), up to SUBSCRIPTION_POLL_MAX_MS.
 */
export interface PollSchedule {
  /** The interval while the object changes or is transitional. */
  fastMs: number;
  /** SUBSCRIPTION_POLL_MAX_MS: the longest wait between two reads. */
  maxMs: number;
}

/** A second at most between reads of an object that is changing; never more than the configured maximum. */
export function pollSchedule(maxMs: number): PollSchedule {
  return { fastMs: Math.min(1_000, maxMs), maxMs };
}

export type PollOutcome = 'changed' | 'unchanged' | 'failed';

export function nextDelay(previousMs: number, outcome: PollOutcome, transitional: boolean, schedule: PollSchedule): number {
  // A failing upstream is not hammered, whatever status the object had when it was last read.
  if (outcome !== 'failed' && (transitional || outcome === 'changed')) return schedule.fastMs;
  return Math.min(schedule.maxMs, Math.max(schedule.fastMs, previousMs * 2));
}
