// QueueDelay (src/upstreams/queueDelay.ts) on a hand-moved clock: a burst that drains is not a standing queue; a
// window in which every call waited longer than calls take is, until nothing waits.
import { describe, expect, it } from 'vitest';
import { QueueDelay, STANDING_WINDOW_MS } from '../../src/upstreams/queueDelay.js';
import { Bulkhead } from '../../src/upstreams/resilience.js';

function clocked(): { delay: QueueDelay; at: (ms: number) => void } {
  let now = 0;
  return { delay: new QueueDelay(() => now), at: (ms) => (now = ms) };
}

/** Calls of `callMs` each, for the smoothed call time to settle. */
function settle(delay: QueueDelay, callMs: number): void {
  for (let i = 0; i < 200; i++) delay.left(callMs);
}

describe('QueueDelay', () => {
  it('a burst whose first calls found free slots is not standing, however long its later calls waited', () => {
    const { delay, at } = clocked();
    settle(delay, 20);
    at(1);
    delay.entered(0);
    for (let t = 2; t < STANDING_WINDOW_MS; t += 10) {
      at(t);
      delay.entered(60);
    }
    at(STANDING_WINDOW_MS + 5);
    delay.entered(60); // closes the window
    expect(delay.standing(10)).toBe(false);
  });

  it('a window in which every call waited longer than calls take is standing while calls wait, and not once none do', () => {
    const { delay, at } = clocked();
    settle(delay, 20);
    for (let t = 1; t < STANDING_WINDOW_MS; t += 10) {
      at(t);
      delay.entered(25);
    }
    at(STANDING_WINDOW_MS + 5);
    delay.entered(25);
    expect(delay.standing(10)).toBe(true);
    expect(delay.standing(0)).toBe(false);
  });

  it('waits shorter than a call are not standing (a queue that drains within a round trip)', () => {
    const { delay, at } = clocked();
    settle(delay, 20);
    for (let t = 1; t < STANDING_WINDOW_MS; t += 10) {
      at(t);
      delay.entered(15);
    }
    at(STANDING_WINDOW_MS + 5);
    delay.entered(15);
    expect(delay.standing(10)).toBe(false);
  });

  it('with calls slower than half the window, the window is two calls long', () => {
    const { delay, at } = clocked();
    const call = STANDING_WINDOW_MS * 0.75;
    settle(delay, call);
    at(10);
    delay.entered(call + 100);
    at(STANDING_WINDOW_MS + 20);
    delay.entered(call + 100);
    expect(delay.standing(1)).toBe(false); // the first window (two calls: 1.5 windows) has not closed yet
    at(2 * call + 10);
    delay.entered(call + 100);
    expect(delay.standing(1)).toBe(true);
  });
});

describe('Bulkhead with a QueueDelay', () => {
  it('reports a standing queue once calls have waited longer than they take for a whole window', async () => {
    const { delay, at } = clocked();
    const b = new Bulkhead(1, 10, delay);
    settle(delay, 5);
    at(0);
    let release = b.tryEnter()!;
    for (let t = 20; t <= 3 * STANDING_WINDOW_MS; t += 100) {
      const next = b.enter();
      at(t);
      release();
      release = await next;
      b.enter().then((r) => r()); // keeps one call waiting
      await new Promise((r) => setImmediate(r));
    }
    expect(b.queued).toBeGreaterThan(0);
    expect(b.standing).toBe(true);
    expect(new Bulkhead(1, 10).standing).toBe(false);
  });
});
