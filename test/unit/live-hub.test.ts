import { buildSchema, parse } from 'graphql';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LiveHub } from '../../src/live/hub.js';

const schema = buildSchema('type Query { ok: Int } type Subscription { group(id: ID!): Group } type Group { name: String }');

function hub(lines: string[]) {
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const limits = { requestDeadlineMs: 1_000, subscriptionPollMaxMs: 1_000, maxSubscriptionsPerConnection: 5, maxSubscriptions: 5, maxSubscriptionsPerCaller: 5 };
  const rules = { schema, maxTokens: 1_000, maxNodes: 1_000, validationRules: [], development: false };
  return new LiveHub({ upstreams: {} as never, about: {} as never, identity: null, limits, rules, log });
}

describe('LiveHub.subscribe', () => {
  it('a document graphql throws on when it makes the stream is answered INTERNAL_SERVER_ERROR and logged, never thrown', async () => {
    const lines: string[] = [];
    let disposed = false;
    // A literal @skip on the root field: graphql 16's createSourceEventStream throws a TypeError on it.
    const document = parse('subscription { group(id: "1") @skip(if: true) { name } }');
    const result = await hub(lines).subscribe({ schema, document, contextValue: { dispose: () => (disposed = true) } });
    expect(result).toEqual({ errors: [{ message: 'Internal error in the facade.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(disposed).toBe(true);
    expect(lines.some((l) => l.includes('subscription failed to start'))).toBe(true);
  });
});
