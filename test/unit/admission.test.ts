// The admission rule (src/http/admission.ts) on gauges set by hand: each of its three rules, and how the adaptive
// limit moves.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Admission, type BulkheadGauge, NEAR_FULL_SHARE, SHED_QUEUE_SHARE } from '../../src/http/admission.js';

function gauge(queued = 0): BulkheadGauge & { queued: number; standing: boolean } {
  return { inFlight: queued > 0 ? 64 : 0, queued, maxActive: 64, maxQueued: 256, standing: false };
}

const admitted = (r: ReturnType<Admission['admit']>): (() => void) => {
  if (typeof r !== 'function') throw new Error(`refused: ${r.message}`);
  return r;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('Admission', () => {
  it('rule 1: refuses past MAX_IN_FLIGHT, and admits again once a request is released', () => {
    const a = new Admission(2, [{ service: 'cinder', bulkhead: gauge() }]);
    const first = admitted(a.admit());
    admitted(a.admit());
    expect(a.admit()).toMatchObject({ kind: 'overloaded', message: expect.stringMatching(/MAX_IN_FLIGHT 2/) });
    first();
    first(); // releasing twice counts once
    expect(a.inFlight).toBe(1);
    admitted(a.admit());
  });

  it('rule 2: refuses while any upstream queue is more than half full, naming it', () => {
    const cinder = gauge();
    const manila = gauge();
    const a = new Admission(256, [
      { service: 'cinder', bulkhead: cinder },
      { service: 'manila', bulkhead: manila },
    ]);
    manila.queued = 256 * SHED_QUEUE_SHARE;
    admitted(a.admit());
    manila.queued += 1;
    expect(a.check()).toEqual({ kind: 'overloaded', message: 'The manila service is saturated; retry shortly.' });
    expect(a.admit()).toMatchObject({ kind: 'overloaded' });
    expect(a.inFlight).toBe(1);
  });

  it('rule 3: a request ending at a near-full queue halves the limit to the requests in progress, once per generation', () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }]);
    const releases = Array.from({ length: 40 }, () => admitted(a.admit()));
    cinder.queued = 256 * NEAR_FULL_SHARE;
    releases[0]!();
    expect(a.limit).toBe(20); // half of the 40 in progress when it ended
    // Requests of the same generation ending at the same near-full queue change nothing more.
    releases[1]!();
    releases[2]!();
    expect(a.limit).toBe(20);
    expect(a.inFlight).toBe(37);
    cinder.queued = 0;
    expect(a.admit()).toMatchObject({ kind: 'overloaded', message: 'The upstream services are saturated; retry shortly.' });
    // Once below the limit, a request of the new generation is admitted; ending at a near-full queue, it halves again.
    cinder.queued = 256 * NEAR_FULL_SHARE;
    releases.slice(3, 25).forEach((r) => r());
    expect(a.limit).toBe(20);
    cinder.queued = 0;
    const next = admitted(a.admit());
    cinder.queued = 256 * NEAR_FULL_SHARE;
    next();
    expect(a.limit).toBe(8); // half of the 16 in progress
  });

  it('rule 3: the limit grows by 1/limit per request that ends while the limit holds others back and no queue is over half', () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }]);
    const first = Array.from({ length: 16 }, () => admitted(a.admit()));
    cinder.queued = 256 * NEAR_FULL_SHARE;
    first[0]!();
    expect(a.limit).toBe(8);
    first.slice(1).forEach((r) => r());
    cinder.queued = 0;
    // Idle: it keeps what it learnt.
    expect(a.limit).toBe(8);
    const busy = Array.from({ length: 8 }, () => admitted(a.admit()));
    busy[0]!();
    expect(a.limit).toBeCloseTo(8 + 1 / 8);
    // Not while a queue is over half full.
    busy.push(admitted(a.admit()));
    cinder.queued = 256 * SHED_QUEUE_SHARE + 1;
    const before = a.limit;
    busy[1]!();
    expect(a.limit).toBe(before);
  });

  it('rule 3: a request ending while a queue stands (however short) halves the limit too, and the limit does not grow while it stands', () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }]);
    const first = Array.from({ length: 40 }, () => admitted(a.admit()));
    cinder.queued = 90; // under both shares: only the standing queue speaks
    cinder.standing = true;
    first[0]!();
    expect(a.limit).toBe(20);
    first.slice(1, 22).forEach((r) => r());
    const next = admitted(a.admit());
    const more = admitted(a.admit());
    cinder.standing = false;
    next();
    expect(a.limit).toBeCloseTo(20 + 1 / 20);
    cinder.standing = true;
    const before = a.limit;
    first[22]!();
    expect(a.limit).toBe(before); // of the old generation: no second halving for the same queue
    more();
    expect(a.limit).toBe(9); // of the new generation: half the 18 in progress
  });

  it('rule 3: after a calm spell (no queue standing or near full for 10 s) the learnt limit is dropped for MAX_IN_FLIGHT', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }]);
    const first = Array.from({ length: 40 }, () => admitted(a.admit()));
    cinder.queued = 256 * NEAR_FULL_SHARE;
    first[0]!();
    expect(a.limit).toBe(20);
    cinder.queued = 0;
    first.slice(1).forEach((r) => r());
    // Filled to the limit 5 s after the pressure: still held at what it learnt.
    vi.advanceTimersByTime(5_000);
    const held: (() => void)[] = [];
    while (a.inFlight < Math.floor(a.limit)) held.push(admitted(a.admit()));
    expect(a.admit()).toMatchObject({ kind: 'overloaded' });
    held.splice(0).forEach((r) => r());
    // Idle a minute after the episode: a burst of 100 other callers is not held at the 20 or so the episode left.
    vi.advanceTimersByTime(60_000);
    const burst = Array.from({ length: 100 }, () => admitted(a.admit()));
    expect(a.limit).toBe(256);
    // Pressure again halves it, and the facade is then not calm for 10 s.
    cinder.standing = true;
    burst.pop()!();
    expect(a.limit).toBe(50); // half of the 100 in progress when it ended
    cinder.standing = false;
    while (a.inFlight >= Math.floor(a.limit)) burst.pop()!();
    while (a.inFlight < Math.floor(a.limit)) burst.push(admitted(a.admit()));
    vi.advanceTimersByTime(9_000);
    expect(a.admit()).toMatchObject({ kind: 'overloaded' });
    vi.advanceTimersByTime(1_500);
    admitted(a.admit());
  });

  it('never lets the limit fall below a few requests', () => {
    const cinder = gauge(256);
    const a = new Admission(256, []);
    const b = new Admission(256, [{ service: 'cinder', bulkhead: cinder }]);
    cinder.queued = 0;
    const r = admitted(b.admit());
    cinder.queued = 256;
    r();
    expect(b.limit).toBe(4);
    expect(a.limit).toBe(256);
    // Nor below one caller's share and one more: a caller at MAX_IN_FLIGHT_PER_CALLER leaves room for another.
    const c = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 8);
    cinder.queued = 0;
    const s = admitted(c.admit());
    cinder.standing = true;
    s();
    expect(c.limit).toBe(9);
  });

  it('refuses everything as shutting down once closed, and tells when the last request is out', async () => {
    const a = new Admission(256, []);
    const r = admitted(a.admit());
    a.close();
    expect(a.admit()).toMatchObject({ kind: 'shutting-down' });
    let idle = false;
    const whenIdle = a.whenIdle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    r();
    await whenIdle;
    expect(idle).toBe(true);
  });

  it('MAX_IN_FLIGHT_PER_CALLER: a caller at its limit is refused (429 kind) while others are admitted; a release frees its slot', () => {
    const a = new Admission(256, [{ service: 'cinder', bulkhead: gauge() }], 2);
    const first = admitted(a.admit('token:a'));
    admitted(a.admit('token:a'));
    expect(a.check('token:a')).toMatchObject({ kind: 'caller', message: expect.stringMatching(/2 requests in progress \(MAX_IN_FLIGHT_PER_CALLER\)/) });
    expect(a.admit('token:a')).toMatchObject({ kind: 'caller' });
    admitted(a.admit('token:b'));
    admitted(a.admit()); // no caller named: only the facade's rules apply
    expect(a.inFlight).toBe(4); // the refusals took nothing
    first();
    first(); // releasing twice frees one slot
    admitted(a.admit('token:a'));
    expect(a.admit('token:a')).toMatchObject({ kind: 'caller' });
  });

  it('MAX_IN_FLIGHT_PER_CALLER 0: no per-caller limit', () => {
    const a = new Admission(256, [], 0);
    for (let i = 0; i < 100; i++) admitted(a.admit('token:a'));
  });

  it('a subscription start past its caller\'s limit waits its turn (admitInTurn); the facade\'s own refusals do not wait', async () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 1);
    const held = admitted(a.admit('token:a'));
    let turn: ReturnType<Admission['admit']> | undefined;
    const waiting = a.admitInTurn('token:a', 5_000).then((r) => (turn = r));
    await new Promise((r) => setTimeout(r, 10));
    expect(turn).toBeUndefined();
    held();
    await waiting;
    expect(typeof turn).toBe('function');
    // Past its time it is refused as the caller's limit.
    expect(await a.admitInTurn('token:a', 20)).toMatchObject({ kind: 'caller' });
    // A saturated upstream refuses at once, even a caller with room.
    cinder.queued = 256;
    expect(await a.admitInTurn('token:b', 5_000)).toMatchObject({ kind: 'overloaded' });
  });

  // Noisy-neighbour probe of 2026-12-07: one token's 16 slow screens filled Cinder's queue, and the door refused 32
  // of 33 requests of another tenant. Now the load of the caller that holds it is shed, not everyone's.
  it('rules 2 and 3 spare a caller with nothing in progress while one caller holds more than half the requests in progress', () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 16);
    const noisy = Array.from({ length: 16 }, () => admitted(a.admit('token:noisy')));
    cinder.queued = 256; // full: rule 2, and a request ending now halves the limit (rule 3)
    expect(a.check('token:noisy')).toMatchObject({ kind: 'caller' });
    expect(a.check()).toMatchObject({ kind: 'overloaded' }); // no caller known: nothing to spare
    const others = Array.from({ length: 16 }, (_, i) => admitted(a.admit(`token:other${i}`)));
    expect(a.inFlight).toBe(32);
    // As many as the heaviest holds, then the load rules apply to everyone again.
    expect(a.admit('token:late')).toMatchObject({ kind: 'overloaded' });
    // A caller with a request in progress already is not spared.
    expect(a.admit('token:other0')).toMatchObject({ kind: 'overloaded' });
    noisy[0]!();
    expect(a.limit).toBeLessThan(256);
    expect(a.admit('token:late')).toMatchObject({ kind: 'overloaded' }); // 15 of 31: under half
    for (const r of [...noisy, ...others]) r();
    expect(a.inFlight).toBe(0);
  });

  // End-to-end probe of 2026-12-07: four tokens of one project, 16 requests each, and the other tenant got 54 of 55
  // refused: no single token held half. With Keystone the door weighs a project's load too.
  it("with Keystone, a project's load counts as one: another project's caller is spared, that project's new token is not", () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 16);
    const heavy = Array.from({ length: 64 }, (_, i) => admitted(a.admit(`token:mal${i % 4}`, false, 'project:a')));
    cinder.queued = 256;
    expect(a.admit('token:mal9', false, 'project:a')).toMatchObject({ kind: 'overloaded' });
    admitted(a.admit('token:alice', false, 'project:b'));
    expect(a.admit('token:alice', false, 'project:b')).toMatchObject({ kind: 'overloaded' }); // she holds one now
    // A caller whose project the door does not know yet is spared too (it weighs in no project: see the next test).
    admitted(a.admit('address:192.0.2.1', true));
    for (const r of heavy) r();
  });

  // Review of 2026-12-07: a new token's project is known only once Keystone accepts it, and each such request of
  // the heavy project, let in as spared, then joined that project and kept it above half: no bound but MAX_IN_FLIGHT.
  it("requests let in as spared weigh in no project: the heavy project's new tokens stay bounded by its load", () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 16);
    Array.from({ length: 8 }, (_, i) => admitted(a.admit(`token:p${i % 2}`, false, 'project:p')));
    cinder.queued = 256;
    let inCount = 0;
    for (let i = 0; i < 150; i++) {
      const r = a.admit(`address:10.0.0.${i % 3}`, true);
      if (typeof r !== 'function') continue;
      inCount++;
      const moved = r as ReturnType<typeof a.admit> & { countAs(c: string): void; inGroup(g: string): void };
      moved.countAs(`token:new${i}`); // Keystone accepted it: the token's, of project p
      moved.inGroup('project:p');
    }
    expect(inCount).toBe(8); // as many as the project holds: while 8 × 2 > in progress
    expect(a.inFlight).toBe(16);
  });

  it("a subscription start weighs in its project too: the heavy project's idle token is refused", async () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 16);
    Array.from({ length: 8 }, (_, i) => admitted(a.admit(`token:p${i % 2}`, false, 'project:p')));
    cinder.queued = 256;
    expect(await a.admitInTurn('token:p3', 1_000, false, undefined, 0, 'project:p')).toMatchObject({ kind: 'overloaded' });
    expect(typeof (await a.admitInTurn('token:q1', 1_000, false, undefined, 0, 'project:q'))).toBe('function');
  });

  it('many light callers (one request each) are shed as before: nobody holds half', () => {
    const cinder = gauge();
    const a = new Admission(256, [{ service: 'cinder', bulkhead: cinder }], 16);
    Array.from({ length: 40 }, (_, i) => admitted(a.admit(`token:c${i}`)));
    cinder.queued = 256;
    expect(a.admit('token:new')).toMatchObject({ kind: 'overloaded' });
  });

  it('countAs moves an admitted request to another caller: the first gets its slot back, the second counts it', () => {
    const a = new Admission(256, [], 1);
    const r = a.admit('address:10.0.0.1');
    if (typeof r !== 'function') throw new Error(r.message);
    expect(a.check('address:10.0.0.1')).toMatchObject({ kind: 'caller' });
    r.countAs('token:abc');
    expect(a.check('address:10.0.0.1')).toBeNull();
    expect(a.check('token:abc')).toMatchObject({ kind: 'caller' });
    r();
    r.countAs('token:def'); // after its release: nothing moves
    expect(a.check('token:abc')).toBeNull();
    expect(a.check('token:def')).toBeNull();
    expect(a.inFlight).toBe(0);
  });
});
