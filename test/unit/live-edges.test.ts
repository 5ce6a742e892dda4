import { buildSchema, parse } from 'graphql';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/http/admission.js';
import { FacadeError } from '../../src/errors.js';
import { LiveHub } from '../../src/live/hub.js';
import { PollerRegistry } from '../../src/live/poller.js';
import { pollSchedule } from '../../src/live/schedule.js';

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

describe('subscription starts waiting for their caller\'s slot (Admission.admitInTurn)', () => {
  const soon = <T>(p: Promise<T>, ms = 500) => Promise.race([p, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), ms))]);

  it('are refused at once when the door closes', async () => {
    const door = new Admission(10, [], 1);
    door.admit('a');
    const waiting = [door.admitInTurn('a', 5_000), door.admitInTurn('a', 5_000)];
    door.close();
    for (const w of waiting) expect(await soon(w)).toMatchObject({ kind: 'shutting-down' });
  });

  it('one woken for a slot and refused for another reason passes the slot on to the next', async () => {
    const door = new Admission(2, [], 1);
    const first = door.admit('a') as () => void;
    const waiting = [door.admitInTurn('a', 5_000), door.admitInTurn('a', 5_000)];
    door.admit('b');
    // The slot comes back, and the facade is full again before the first waiter looks.
    first();
    door.admit('c');
    for (const w of waiting) expect(await soon(w)).toMatchObject({ kind: 'overloaded' });
  });
});

describe('a poller whose token is refused', () => {
  it('ends the subscribers reading with that token, and reads on at once for the caller\'s others with theirs', async () => {
    const pollers = new PollerRegistry(pollSchedule(10_000));
    const reads: string[] = [];
    const reader = (credential: string, answer: () => object) => ({
      credential,
      read: async () => (reads.push(credential), answer()),
    });
    const revoked = pollers.join('user', 'group', 'g1', reader('revoked', () => { throw new FacadeError('UNAUTHENTICATED', 'no'); }));
    const valid = pollers.join('user', 'group', 'g1', reader('valid', () => ({ id: 'g1' })));
    expect(await revoked.next()).toMatchObject({ value: { error: { code: 'UNAUTHENTICATED' } } });
    expect((await revoked.next()).done).toBe(true);
    expect(await valid.next()).toEqual({ value: { object: { id: 'g1' } }, done: false });
    expect(reads).toEqual(['revoked', 'valid']);
    void valid.return();
    expect(pollers.size).toBe(0);
  });
});
