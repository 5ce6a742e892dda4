import { describe, expect, it } from 'vitest';
import { nextDelay, pollSchedule } from '../../src/live/schedule.js';
import { PushStream } from '../../src/live/stream.js';

describe('poll schedule', () => {
  const s = pollSchedule(10_000);

  it('polls every second while the object changes or is transitional, backs off to the maximum while nothing changes', () => {
    expect(s).toEqual({ fastMs: 1_000, maxMs: 10_000 });
    const delays: number[] = [];
    let d = nextDelay(0, 'changed', false, s);
    delays.push(d);
    for (let i = 0; i < 6; i++) delays.push((d = nextDelay(d, 'unchanged', false, s)));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
    expect(nextDelay(10_000, 'unchanged', true, s)).toBe(1_000);
    expect(nextDelay(10_000, 'changed', false, s)).toBe(1_000);
  });

  it('backs off on failures even while the object was transitional; a short maximum is also the fast interval', () => {
    expect(nextDelay(1_000, 'failed', true, s)).toBe(2_000);
    expect(nextDelay(8_000, 'failed', true, s)).toBe(10_000);
    const short = pollSchedule(300);
    expect(short).toEqual({ fastMs: 300, maxMs: 300 });
    expect(nextDelay(300, 'unchanged', false, short)).toBe(300);
  });
});

describe('PushStream', () => {
  it('hands values in order and ends after what was queued', async () => {
    const stream = new PushStream<number>();
    stream.push(1);
    stream.push(2);
    stream.end();
    stream.push(3);
    const seen: number[] = [];
    for await (const v of stream) seen.push(v);
    expect(seen).toEqual([1, 2]);
  });

  it('return() ends at once while a consumer waits, and tells its owner (a disconnect stops the poller share)', async () => {
    let ended = 0;
    const stream = new PushStream<number>(() => ended++);
    const waiting = stream.next();
    await stream.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
    await stream.return();
    expect(ended).toBe(1);
  });
});
