import { Recent } from '../upstreams/loaders.js';

/** An hour: Keystone's default token lifetime. */
const KEPT_MS = 60 * 60_000;
const MAX_KEPT = 10_000;

/**
 * Without Keystone the facade cannot tell a real token from a made-up one, but the upstreams can: each validates
 * every call's token. The callers (callerIdentity keys: token hashes, never tokens) whose token an upstream has
 * accepted, so that the door counts a token as a caller of its own only once it is known to be real (context.ts,
 * doorCaller); until then it counts against its client address, as it does while Keystone validates one.
 */
export class AcceptedTokens {
  private readonly kept = new Recent<true>(KEPT_MS, MAX_KEPT);

  has(caller: string): boolean {
    return this.kept.get(caller) === true;
  }

  add(caller: string): void {
    this.kept.set(caller, true);
  }
}

/**
 * Whether an upstream's answer to a call made with the caller's token shows the token is real. OpenStack's
 * keystonemiddleware (and SDRS's IAM) answer 401 before the service sees a bad token; a 429 or 5xx may come from
 * something in front of the service that never looked at it.
 */
export function acceptsToken(status: number): boolean {
  return status < 400 || (status < 500 && status !== 401 && status !== 429);
}
