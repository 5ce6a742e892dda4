import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { followJob, isJobFinished } from '../../src/upstreams/sdrs/jobs.js';
import { readOffsetPages } from '../../src/upstreams/sdrs/paging.js';
import type { SdrsJob } from '../../src/upstreams/sdrs/types.js';

const job = (status: string): SdrsJob => ({
  status, job_id: 'j', job_type: 't', begin_time: null, end_time: null, error_code: null, fail_reason: null, entities: {},
});

/** A fake clock: sleeping advances time; each read may take `readMs`. */
function clock(readMs = 0) {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    read: (statuses: string[]) => {
      let i = 0;
      const reads: number[] = [];
      const fn = async () => {
        reads.push(t);
        t += readMs;
        return job(statuses[Math.min(i++, statuses.length - 1)]!);
      };
      return { fn, reads };
    },
    sleeps,
  };
}

describe('followJob', () => {
  it('returns after one read when the job has already ended', async () => {
    const c = clock();
    const r = c.read(['SUCCESS']);
    expect((await followJob(r.fn, 10_000, c)).status).toBe('SUCCESS');
    expect(r.reads).toEqual([0]);
    expect(c.sleeps).toEqual([]);
  });

  it('polls every 250 ms, then every 500 ms after two seconds, until FAIL', async () => {
    const c = clock();
    const r = c.read([...Array(10).fill('RUNNING'), 'FAIL']);
    const end = await followJob(r.fn, 30_000, c);
    expect(end.status).toBe('FAIL');
    expect(r.reads).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2500, 3000]);
  });

  it('never waits past the deadline and returns the job as it stands', async () => {
    const c = clock(40);
    const r = c.read(['INIT', 'RUNNING']);
    const end = await followJob(r.fn, 1_000, c);
    expect(end.status).toBe('RUNNING');
    expect(c.now()).toBeLessThanOrEqual(1_000 + 40);
    expect(c.sleeps.every((ms) => ms > 0 && ms <= 500)).toBe(true);
    expect(r.reads.at(-1)).toBe(1_000);
  });

  it('waitMs 0 is exactly one read', async () => {
    const c = clock();
    const r = c.read(['INIT']);
    expect((await followJob(r.fn, 0, c)).status).toBe('INIT');
    expect(r.reads).toHaveLength(1);
  });

  it('a failed read ends the wait with that error', async () => {
    const c = clock();
    let n = 0;
    const read = async () => {
      if (++n === 3) throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'down', 'sdrs', 503, null, null);
      return job('RUNNING');
    };
    await expect(followJob(read, 10_000, c)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(n).toBe(3);
  });

  it('reads job statuses case-insensitively', () => {
    expect(isJobFinished(job('success'))).toBe(true);
    expect(isJobFinished(job('FAIL'))).toBe(true);
    expect(isJobFinished(job('RUNNING'))).toBe(false);
    expect(isJobFinished(job('WAITING'))).toBe(false);
  });
});

const items = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `g${from + i}` }));

describe('readOffsetPages', () => {
  it('one request when the upstream fills the page', async () => {
    const asked: [number, number][] = [];
    const r = await readOffsetPages(async (limit, offset) => (asked.push([limit, offset]), { items: items(offset, limit), count: 100 }), 10, 5);
    expect(r.items.map((i) => i.id)).toEqual(['g10', 'g11', 'g12', 'g13', 'g14']);
    expect(r).toMatchObject({ count: 100, hasMore: true });
    expect(asked).toEqual([[5, 10]]);
  });

  it('asks again from the new offset after a short page, until full', async () => {
    const asked: [number, number][] = [];
    const r = await readOffsetPages(async (limit, offset) => (asked.push([limit, offset]), { items: items(offset, Math.min(limit, 2)), count: 100 }), 0, 5);
    expect(r.items).toHaveLength(5);
    expect(asked).toEqual([[5, 0], [3, 2], [1, 4]]);
  });

  it('stops at the end: hasMore false when count is reached', async () => {
    const r = await readOffsetPages(async (limit, offset) => ({ items: items(offset, Math.max(0, Math.min(limit, 7 - offset))), count: 7 }), 5, 5);
    expect(r.items.map((i) => i.id)).toEqual(['g5', 'g6']);
    expect(r.hasMore).toBe(false);
  });

  it('without a count, a full page may have more and a short one ends', async () => {
    const full = await readOffsetPages(async (limit, offset) => ({ items: items(offset, limit), count: null }), 0, 3);
    expect(full.hasMore).toBe(true);
    const short = await readOffsetPages(async (_, offset) => ({ items: items(offset, 1), count: null }), 0, 3);
    expect(short).toMatchObject({ hasMore: false, count: null });
    expect(short.items).toHaveLength(1);
  });

  it('an upstream ignoring offset is an error, not a loop', async () => {
    let n = 0;
    await expect(readOffsetPages(async () => (n++, { items: items(0, 1), count: 50 }), 0, 5)).rejects.toThrow(/same item twice while paging protection groups/);
    expect(n).toBe(2);
  });

  it('an empty page while count says more is an error, not a quiet short page', async () => {
    await expect(readOffsetPages(async () => ({ items: [], count: 50 }), 0, 5)).rejects.toThrow(/counted 50 .* returned none/);
  });
});
