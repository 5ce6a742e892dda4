import type { FormattedExecutionResult } from 'graphql';
import type { CallerIdentity } from '../identity/gate.js';
import type { Logger } from '../observability/logger.js';

/** How a subscription ended: its source did (a deleted object), the client left, the token expired, SIGTERM. */
export type SubscriptionOutcome = 'completed' | 'client_closed' | 'token_expired' | 'shutting_down' | 'error';

/** Who subscribed and over what, as its log line names them (the token never). */
export interface SubscriptionOrigin {
  requestId: string;
  transport: 'sse' | 'ws';
  admitted?: CallerIdentity;
}

function who(origin: SubscriptionOrigin): Record<string, unknown> {
  const identity = origin.admitted?.identity;
  if (!identity) return {};
  return { user: identity.user.name, userId: identity.user.id, project: identity.project?.name, projectId: identity.project?.id };
}

/** One open subscription: what it sent, written as one line when it ends. */
export class SubscriptionRecord {
  private readonly started = performance.now();
  private results = 0;
  private readonly errorCodes = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly origin: SubscriptionOrigin,
    private readonly operationName: string | undefined,
  ) {}

  sent(result: FormattedExecutionResult): void {
    this.results++;
    for (const e of result.errors ?? []) this.errorCodes.add(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  }

  ended(outcome: SubscriptionOutcome): void {
    if (!this.log.isLevelEnabled('info')) return;
    this.log.info(
      {
        requestId: this.origin.requestId,
        transport: this.origin.transport,
        operationName: this.operationName,
        operationType: 'subscription',
        outcome,
        durationMs: Math.round((performance.now() - this.started) * 10) / 10,
        results: this.results,
        ...(this.errorCodes.size ? { errorCodes: [...this.errorCodes] } : {}),
        ...who(this.origin),
      },
      'graphql subscription',
    );
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
    return new SubscriptionRecord(this.log, origin, operationName);
  }

  refused(origin: SubscriptionOrigin, operationName: unknown, codes: string[], status: number): void {
    this.log.info(
      {
        requestId: origin.requestId,
        transport: origin.transport,
        operationName: typeof operationName === 'string' ? operationName : undefined,
        operationType: 'subscription',
        status,
        outcome: 'refused',
        errorCodes: codes,
        ...who(origin),
      },
      'graphql subscription refused',
    );
  }
}
