import { describe, expect, it } from 'vitest';
import { BACKOFF_TO_ONE_SECOND, waitUntilSettled } from '../../src/live/settle.js';

/** A fake clock: sleeping advances time; each read may take `readMs` and returns the next status. */
function fake(statuses: (string | Error)[], readMs = 0) {
  let t = 0;
  let i = 0;
  const reads: number[] = [];
  const sleeps: number[] = [];
  return {
    reads,
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    read: async () => {
      reads.push(t);
      t += readMs;
      const next = statuses[Math.min(i++, statuses.length - 1)]!;
      if (next instanceof Error) throw next;
      return { status: next };
    },
  };
}

const available = (v: { status: string }) => v.status === 'available';

describe('waitUntilSettled', () => {
  it('backs off 250 ms, 500 ms, then 1 s, until settled', async () => {
    const f = fake(['creating', 'creating', 'creating', 'creating', 'available']);
    const out = await waitUntilSettled({ ...f, settled: available, waitMs: 10_000 });
    expect(out).toEqual({ value: { status: 'available' }, settled: true, reads: 5 });
    expect(f.sleeps).toEqual([250, 500, 1_000, 1_000]);
    expect(f.reads).toEqual([0, 250, 750, 1_750, 2_750]);
    expect([1, 2, 3, 9].map((n) => BACKOFF_TO_ONE_SECOND(n, 0))).toEqual([250, 500, 1_000, 1_000]);
  });

  it('waitMs 0 is one read, unsettled when transitional', async () => {
    const f = fake(['creating', 'available']);
    expect(await waitUntilSettled({ ...f, settled: available, waitMs: 0 })).toEqual({ value: { status: 'creating' }, settled: false, reads: 1 });
    expect(f.sleeps).toEqual([]);
  });

  it('stops at waitMs with the object as it stands, never sleeping past it', async () => {
    const f = fake(['creating'], 30);
    const out = await waitUntilSettled({ ...f, settled: available, waitMs: 2_000 });
    expect(out.settled).toBe(false);
    expect(f.reads.at(-1)).toBe(2_000);
    expect(f.now()).toBeLessThanOrEqual(2_030);
  });

  it('the deadline ends the wait before waitMs does', async () => {
    const f = fake(['creating']);
    const out = await waitUntilSettled({ ...f, settled: available, waitMs: 30_000, deadline: 1_200 });
    expect(out.settled).toBe(false);
    expect(f.reads).toEqual([0, 250, 750, 1_200]);
  });

  it('a deadline already past means one read', async () => {
    const f = fake(['creating']);
    expect((await waitUntilSettled({ ...f, settled: available, waitMs: 5_000, deadline: -1 })).reads).toBe(1);
  });

  it('a failed later read ends the wait with that error, or with the reading before when asked', async () => {
    const boom = new Error('503');
    await expect(waitUntilSettled({ ...fake(['creating', boom]), settled: available, waitMs: 5_000 })).rejects.toBe(boom);
    const kept = await waitUntilSettled({ ...fake(['creating', boom]), settled: available, waitMs: 5_000, keepLastOnError: true });
    expect(kept).toEqual({ value: { status: 'creating' }, settled: false, reads: 1 });
  });

  it('the first read failing is thrown even when keeping the last reading', async () => {
    const boom = new Error('first');
    await expect(waitUntilSettled({ ...fake([boom]), settled: available, waitMs: 5_000, keepLastOnError: true })).rejects.toBe(boom);
  });
});
