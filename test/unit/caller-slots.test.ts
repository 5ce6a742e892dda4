import { describe, expect, it } from 'vitest';
import { CallerSlots } from '../../src/http/callerSlots.js';

describe('CallerSlots', () => {
  it('counts slots per caller and forgets a caller with none left (no entry per token ever seen)', () => {
    const slots = new CallerSlots(2);
    const releases = [slots.take('a'), slots.take('a'), slots.take('b')];
    expect(slots.full('a')).toBe(true);
    expect(slots.full('b')).toBe(false);
    expect(slots.callers).toBe(2);
    releases[0]!();
    releases[0]!();
    expect(slots.full('a')).toBe(false);
    releases[1]!();
    releases[2]!();
    expect(slots.callers).toBe(0);
  });

  it('0 keeps no count at all', () => {
    const slots = new CallerSlots(0);
    for (let i = 0; i < 10; i++) slots.take('a');
    expect(slots.full('a')).toBe(false);
    expect(slots.callers).toBe(0);
  });

  it('a waiter is woken by its caller\'s release, first come first served; another caller\'s release wakes no one', async () => {
    const slots = new CallerSlots(1);
    const release = slots.take('a');
    const order: string[] = [];
    const first = slots.released('a', 5_000).then((freed) => order.push(`first ${freed}`));
    const second = slots.released('a', 5_000).then((freed) => order.push(`second ${freed}`));
    slots.take('b')();
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await first;
    expect(order).toEqual(['first true']);
    expect(slots.callers).toBe(1); // the second still waits
    slots.take('a')();
    await second;
    expect(order).toEqual(['first true', 'second true']);
    expect(slots.callers).toBe(0);
  });

  it('a waiter gives up after its time, and leaves nothing behind', async () => {
    const slots = new CallerSlots(1);
    slots.take('a');
    expect(await slots.released('a', 20)).toBe(false);
    expect(slots.callers).toBe(1);
  });
});
