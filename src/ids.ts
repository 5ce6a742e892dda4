import { InputError } from './errors.js';

// Upstream ids are UUIDs (Cinder, Manila, SDRS groups) or 32 hex chars (SDRS jobs). We accept a little more
// than that so a deployment with odd ids still works, but nothing that could move a URL: no '/', '.', '%', '?'.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** Throws BAD_USER_INPUT unless `id` is safe to place in an upstream URL path. */
export function assertSafeId(id: string, what = 'id'): string {
  if (!SAFE_ID.test(id)) {
    const shown = id.length > 40 ? `${id.slice(0, 40)}…` : id;
    throw new InputError(
      `Invalid ${what} ${JSON.stringify(shown)}: ids are 1-128 letters, digits, '-' or '_' (e.g. a UUID).`,
    );
  }
  return id;
}
