import type { FormattedExecutionResult } from 'graphql';
import type { CallerIdentity } from '../identity/gate.js';
import type { Logger } from '../observability/logger.js';
import { addIdentity, boundedName } from '../observability/requests.js';

/**
 * How a subscription ended: its source did (a deleted object), the client left, the token expired or was refused
 * (an upstream's 401: revoked), SIGTERM.
 */
export type SubscriptionOutcome = 'completed' | 'client_closed' | 'token_expired' | 'token_refused' | 'token_unconfirmed' | 'shutting_down' | 'error';

/** Who subscribed and over what, as its log line names them (the token never). */
export interface SubscriptionOrigin {
  requestId: string;
  transport: 'sse' | 'ws';
  /** The client's address (behind a trusted proxy, the one X-Forwarded-For names: hub.clientAddressOf). */
  client?: string;
  admitted?: CallerIdentity;
}

/** One open subscription: what it sent and why it ended, written as one line when it ends. */
export class SubscriptionRecord {
  private readonly started = performance.now();
  private results = 0;
  private readonly errorCodes = new Set<string>();
  /** Set by whoever ends the subscription; a client that left sets nothing. */
  private outcome: SubscriptionOutcome = 'client_closed';

  constructor(
    private readonly log: Logger,
    private readonly origin: SubscriptionOrigin,
    private readonly operationName: string | undefined,
  ) {}

  sent(result: FormattedExecutionResult): void {
    this.results++;
    for (const e of result.errors ?? []) this.errorCodes.add(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  }

  endsAs(outcome: SubscriptionOutcome): void {
    this.outcome = outcome;
  }

  /** `draining`: the facade is shutting down, which is why the subscription ended, whoever ended it. */
  ended(draining: boolean): void {
    if (!this.log.isLevelEnabled('info')) return;
    const line: Record<string, unknown> = {
      requestId: this.origin.requestId,
      client: this.origin.client,
      transport: this.origin.transport,
      operationName: this.operationName,
      operationType: 'subscription',
      outcome: draining ? 'shutting_down' : this.outcome,
      durationMs: Math.round((performance.now() - this.started) * 10) / 10,
      results: this.results,
    };
    if (this.errorCodes.size) line.errorCodes = [...this.errorCodes];
    addIdentity(line, this.origin.admitted?.identity);
    this.log.info(line, 'graphql subscription');
  }
}

/**
 * The subscriptions' counterpart of a request's log line (observability/requests.ts), for both transports: one
 * line when a subscription ends, one when a subscribe is refused. A subscription holds no request slot and its
 * upstream reads belong to shared pollers, so its line counts the results it sent instead of upstream calls.
 */
export class SubscriptionLog {
  constructor(private readonly log: Logger) {}

  opened(origin: SubscriptionOrigin, operationName: string | undefined): SubscriptionRecord {
    return new SubscriptionRecord(this.log, origin, boundedName(operationName) ?? undefined);
  }

  /** `status`: the HTTP status of the refusal; none for a subscribe whose arguments were refused in its stream. */
  refused(origin: SubscriptionOrigin, operationName: unknown, codes: string[], status?: number): void {
    const line: Record<string, unknown> = {
      requestId: origin.requestId,
      client: origin.client,
      transport: origin.transport,
      operationName: typeof operationName === 'string' ? (boundedName(operationName) ?? undefined) : undefined,
      operationType: 'subscription',
      status,
      outcome: 'refused',
      errorCodes: codes,
    };
    addIdentity(line, origin.admitted?.identity);
    this.log.info(line, 'graphql subscription refused');
  }
}
