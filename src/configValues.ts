// The shapes of value the environment gives settings in, each refused with a message naming its variable.

export class ConfigError extends Error {}

/** A positive whole number (milliseconds, counts); the name says which. */
export function parsePositive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new ConfigError(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** A whole number, 0 included (0: no limit); the name says what it counts. */
export function parseCount(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number (0: no limit), got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Node's longest timer (about 24.8 days): a longer one fires at once, so a timeout past it would cut everything. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration in milliseconds: a positive whole number a timer can hold. */
export function parseMillis(name: string, raw: string | undefined, fallback: number): number {
  return parseAtMost(name, raw, fallback, MAX_TIMER_MS);
}

/** Milliseconds, 0 included (0: none), at most what a timer can wait. */
export function parseDelay(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number of milliseconds (0: none), got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n > MAX_TIMER_MS) throw new ConfigError(`${name} must be at most ${MAX_TIMER_MS}, got ${n}`);
  return n;
}

/** A positive whole number no larger than `max`. */
export function parseAtMost(name: string, raw: string | undefined, fallback: number, max: number): number {
  const n = parsePositive(name, raw, fallback);
  if (n > max) throw new ConfigError(`${name} must be at most ${max}, got ${n}`);
  return n;
}

export function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new ConfigError(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}
