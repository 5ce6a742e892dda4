import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cutoff } from '../../src/upstreams/caller.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Cutoff: a request deadline that cuts its calls', () => {
  it('cuts every call still out when the deadline passes, with a TimeoutError, once', () => {
    vi.useFakeTimers();
    const cutoff = new Cutoff(Date.now() + 100);
    const cut: string[] = [];
    const a = (e: Error) => cut.push(`a ${e.name}`);
    const b = (e: Error) => cut.push(`b ${e.name}`);
    expect(cutoff.watch(a)).toBe(true);
    expect(cutoff.watch(b)).toBe(true);
    cutoff.unwatch(b); // b's answer came
    vi.advanceTimersByTime(100);
    expect(cut).toEqual(['a TimeoutError']);
    vi.advanceTimersByTime(1_000);
    expect(cut).toHaveLength(1);
  });

  // Probe of 2026-12-08: a write not sent yet when the client left (a later mutation field, or one waiting for a
  // connection) was sent 1.2 s later, behind the back of a client that would retry it.
  it('a client that left: reads out are cut and later calls of any kind refused; writes out go on, and the deadline still cuts them', () => {
    vi.useFakeTimers();
    const cutoff = new Cutoff(Date.now() + 100);
    const cut: string[] = [];
    expect(cutoff.watch((e) => cut.push(`read ${e.name}`), true)).toBe(true);
    expect(cutoff.watch((e) => cut.push(`write ${e.name}`), false)).toBe(true);
    cutoff.abandon();
    cutoff.abandon();
    expect(cut).toEqual(['read ClientLeft']);
    expect(cutoff.watch(() => {}, true)).toBe(false);
    expect(cutoff.watch(() => {}, false)).toBe(false);
    expect(cutoff.refusal()?.name).toBe('ClientLeft');
    vi.advanceTimersByTime(100);
    expect(cut).toEqual(['read ClientLeft', 'write TimeoutError']);
  });

  it('a write needs a quarter of the request time left, at most a second', () => {
    expect(new Cutoff(Date.now() + 10_000, 10_000).writeFloorMs).toBe(1_000);
    expect(new Cutoff(Date.now() + 2_000, 2_000).writeFloorMs).toBe(500);
    expect(new Cutoff(Date.now() + 2_000).writeFloorMs).toBe(0);
  });

  it('refuses a call once the deadline has passed, even before its timer could fire', () => {
    vi.useFakeTimers();
    const cutoff = new Cutoff(Date.now() + 50);
    vi.setSystemTime(Date.now() + 60); // the clock moved, the timer has not run
    expect(cutoff.watch(() => {})).toBe(false);
    expect(cutoff.reason?.name).toBe('TimeoutError');
  });

  it('a request over with no call out leaves no timer; one with a call out keeps it, and the call is cut at the deadline', () => {
    vi.useFakeTimers();
    const idle = new Cutoff(Date.now() + 100);
    const done = () => {};
    idle.watch(done);
    idle.unwatch(done);
    expect(vi.getTimerCount()).toBe(1);
    idle.release();
    expect(vi.getTimerCount()).toBe(0);

    const busy = new Cutoff(Date.now() + 100);
    const cut: Error[] = [];
    busy.watch((e) => cut.push(e));
    busy.release();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(cut).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('once its timer fired, a later call is refused even if the wall clock says the deadline has not passed', () => {
    vi.useFakeTimers();
    const start = Date.now();
    const cutoff = new Cutoff(start + 100);
    const cut: Error[] = [];
    cutoff.watch((e) => cut.push(e));
    vi.setSystemTime(start - 50); // the wall clock stepped back; the timer runs on its own clock
    vi.advanceTimersByTime(100);
    expect(cut).toHaveLength(1);
    expect(Date.now()).toBeLessThan(cutoff.at);
    expect(cutoff.watch(() => {})).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('no timer at all for a request that made no call', () => {
    vi.useFakeTimers();
    const cutoff = new Cutoff(Date.now() + 100);
    cutoff.release();
    expect(vi.getTimerCount()).toBe(0);
  });
});
