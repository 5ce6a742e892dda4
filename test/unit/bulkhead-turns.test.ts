// Noisy-neighbour probe of 2026-12-07: one caller with hundreds of calls queued at an upstream's bulkhead made
// every other caller's calls wait behind all of them, or be refused once the queue was full. Waiting calls are now
// served in turns by who sent them, and a full queue makes room for a caller that waits less.
import { describe, expect, it } from 'vitest';
import { Bulkhead, BulkheadRejection, TURN_SHARE } from '../../src/upstreams/bulkhead.js';
import { QueueDelay } from '../../src/upstreams/queueDelay.js';

/** With one connection a turn is one call; with 64, TURN_SHARE of them. */
const TURN_CALLS = 1;

/** Queues `n` calls of `who`; each, once it has its slot, is recorded in `served` and holds it until released. */
function queue(b: Bulkhead, who: string, n: number, served: string[], held: (() => void)[]): Promise<unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    b.enter(undefined, who).then((release) => {
      served.push(`${who}${i}`);
      held.push(release);
    }),
  );
}

const tick = () => new Promise((r) => setImmediate(r));

/** Releases the held slots one at a time, `n` times, letting each next waiter take its slot. */
async function releaseOneByOne(held: (() => void)[], n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    held.shift()!();
    await tick();
  }
}

describe('Bulkhead: waiting calls served in turns by who sent them', () => {
  it('one caller alone is served first come, first served', async () => {
    const b = new Bulkhead(1, 100);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    queue(b, 'a', 20, served, held);
    await releaseOneByOne(held, 20);
    expect(served).toEqual(Array.from({ length: 20 }, (_, i) => `a${i}`));
  });

  it("another caller's call waits for at most one turn of the busy caller's, not behind its whole queue", async () => {
    const b = new Bulkhead(1, 1000);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    queue(b, 'noisy', 200, served, held);
    queue(b, 'quiet', 1, served, held);
    await releaseOneByOne(held, TURN_CALLS + 1);
    expect(served.indexOf('quiet0')).toBeGreaterThanOrEqual(0);
    expect(served.indexOf('quiet0')).toBeLessThanOrEqual(TURN_CALLS);
    expect(served.filter((s) => s.startsWith('noisy'))).toEqual(served.filter((s) => s.startsWith('noisy')).sort((x, y) => Number(x.slice(5)) - Number(y.slice(5))));
  });

  it('turns alternate between callers that both have calls waiting, TURN_CALLS at a time', async () => {
    const b = new Bulkhead(1, 1000);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    queue(b, 'a', 2 * TURN_CALLS, served, held);
    queue(b, 'b', 2 * TURN_CALLS, served, held);
    await releaseOneByOne(held, 4 * TURN_CALLS);
    const owners = served.map((s) => s[0]).join('');
    expect(owners).toBe(['a', 'b', 'a', 'b'].map((w) => w.repeat(TURN_CALLS)).join(''));
  });

  it('with 64 connections a turn is TURN_SHARE of them: a wave of eight reads goes out together', async () => {
    const b = new Bulkhead(64, 1000);
    const held: (() => void)[] = Array.from({ length: 64 }, () => b.tryEnter()!);
    const served: string[] = [];
    const turn = 64 * TURN_SHARE;
    expect(turn).toBe(8);
    queue(b, 'a', 2 * turn, served, held);
    queue(b, 'b', 2 * turn, served, held);
    await releaseOneByOne(held, 4 * turn);
    expect(served.map((s) => s[0]).join('')).toBe(['a', 'b', 'a', 'b'].map((w) => w.repeat(turn)).join(''));
  });

  it("a full queue refuses the newest call of whoever waits most to make room for another caller's", async () => {
    const b = new Bulkhead(1, 10);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    const noisy = queue(b, 'noisy', 10, served, held).map((p) => p.then(() => 'served', (e: BulkheadRejection) => e.reason));
    await expect(b.enter(undefined, 'noisy')).rejects.toMatchObject({ reason: 'full' }); // its own: refused
    queue(b, 'quiet', 1, served, held);
    expect(b.queued).toBe(10);
    expect(await noisy[9]).toBe('full'); // its newest gave up the place
    await releaseOneByOne(held, 1);
    expect(served).toEqual(['noisy0']);
    await releaseOneByOne(held, TURN_CALLS);
    expect(served).toContain('quiet0');
  });

  it('a caller that would then wait most is refused itself; one that would wait least takes the place', async () => {
    const b = new Bulkhead(1, 4);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    const waiting = [...queue(b, 'a', 2, served, held), ...queue(b, 'b', 2, served, held)].map((p) => p.then(() => 'served', (e: BulkheadRejection) => e.reason));
    await expect(b.enter(undefined, 'a')).rejects.toMatchObject({ reason: 'full' });
    expect(b.queued).toBe(4);
    queue(b, 'c', 1, served, held);
    expect(b.queued).toBe(4);
    expect(await waiting[1]).toBe('full'); // a1, the newest of the first of the longest
    await releaseOneByOne(held, 4);
    expect(served.sort()).toEqual(['a0', 'b0', 'b1', 'c0']);
  });

  it('a waiter that times out leaves the queue, and the turns go on', async () => {
    const b = new Bulkhead(1, 100);
    const held: (() => void)[] = [b.tryEnter()!];
    const served: string[] = [];
    const late = b.enter(Date.now() + 20, 'late');
    queue(b, 'a', 3, served, held);
    await expect(late).rejects.toBeInstanceOf(BulkheadRejection);
    expect(b.queued).toBe(3);
    await releaseOneByOne(held, 3);
    expect(served).toEqual(['a0', 'a1', 'a2']);
  });
});

// Review of 2026-12-07: with turns, another caller's trickle of calls was served at once, and their short waits
// made the queue never "standing" (queueDelay.ts) while one caller's calls waited for seconds: the door's rule 3
// stopped seeing it. The queue's delay is now its oldest call's.
describe('Bulkhead with turns: a standing queue is still seen', () => {
  it("one caller's calls waiting long stand the queue, though another caller's are served at once", async () => {
    let t = 0;
    const b = new Bulkhead(4, 1000, new QueueDelay(() => t));
    const held: (() => void)[] = Array.from({ length: 4 }, () => b.tryEnter()!);
    const served: string[] = [];
    queue(b, 'heavy', 60, served, held);
    const seen: boolean[] = [];
    for (let step = 0; step < 60; step++) {
      t += 100; // each call holds its slot 400 ms: four slots, one given back every 100 ms
      if (step % 2 === 0) queue(b, 'light', 1, served, held);
      held.shift()!();
      await tick();
      if (step % 10 === 9) seen.push(b.standing);
    }
    expect(served.some((s) => s.startsWith('light'))).toBe(true);
    expect(seen.slice(2)).toEqual([true, true, true, true]);
  });
});
