// With Keystone a call names its caller's project. Three users of one project whose calls fail opened the host's
// circuit for every project (noisy-neighbour probe of 2026-12-07): their failures now open their project's own
// breaker, and count for the host only once callers of three distinct projects have them.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, MAX_PROJECT_BREAKERS } from '../../src/upstreams/resilience.js';

const opts = { window: 10, minCalls: 4, failureRate: 0.5, openMs: 1_000 };

describe('CircuitBreaker, per project', () => {
  it("three users of one project open that project's breaker, not the host's", () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 12; i++) b.record(false, `user:u${i % 3}`, 'project:a');
    expect(b.state).toBe('closed');
    expect(b.projectState('project:a')).toBe('open');
    expect(b.allow('user:u0', 'project:a')).toBe(false);
    expect(b.allow('user:u9', 'project:a')).toBe(false); // any user of that project
    expect(b.allow('user:other', 'project:b')).toBe(true);
    expect(b.projectState('project:b')).toBe('closed');
  });

  it('one or two users of a project open nothing, however many failures (the rule within the project)', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 30; i++) b.record(false, `user:u${i % 2}`, 'project:a');
    expect(b.projectState('project:a')).toBe('closed');
    expect(b.state).toBe('closed');
    expect(b.allow('user:u0', 'project:a')).toBe(true);
  });

  it("failing users of three distinct projects open the host's circuit for everyone", () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 6; i++) b.record(false, `user:u${i}`, `project:p${i % 3}`);
    expect(b.state).toBe('open');
    expect(b.allow('user:new', 'project:unrelated')).toBe(false);
  });

  // Review of 2026-12-07: counting projects alone let one person with a role in three projects open the host's
  // circuit with a token of each, which the rule of users had closed before.
  it("one user's failures in three projects do not open the host's circuit; nor do that user's failed probes", () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 30; i++) b.record(false, 'user:mallory', `project:p${i % 3}`);
    expect(b.state).toBe('closed');
    expect(b.allow('user:victim', 'project:victim')).toBe(true);
    // Half-open after a real outage: the same user's probes from three projects do not open it again.
    for (let i = 0; i < 6; i++) b.record(false);
    expect(b.state).toBe('open');
    now += 1_000;
    for (let i = 0; i < 3; i++) {
      expect(b.allow('user:mallory', `project:p${i}`)).toBe(true);
      b.record(false, 'user:mallory', `project:p${i}`);
      expect(b.state).toBe('half-open');
    }
    expect(b.allow('user:victim', 'project:victim')).toBe(true);
  });

  it('failures no request can cause (upstream not reached) still count for everyone: one project opens the host', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 4; i++) b.record(false, undefined, 'project:a');
    expect(b.state).toBe('open');
  });

  it("half-open: the project's probe closes it on success; a failed probe opens it again for that project only", () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 6; i++) b.record(false, `user:u${i % 3}`, 'project:a');
    expect(b.projectState('project:a')).toBe('open');
    now += 1_000;
    expect(b.projectState('project:a')).toBe('half-open');
    expect(b.allow('user:u0', 'project:a')).toBe(true); // the probe
    expect(b.allow('user:u1', 'project:a')).toBe(false); // one at a time
    b.record(false, undefined, 'project:a');
    expect(b.projectState('project:a')).toBe('open');
    now += 1_000;
    expect(b.allow('user:u1', 'project:a')).toBe(true);
    b.record(true, undefined, 'project:a');
    expect(b.projectState('project:a')).toBe('closed');
    expect(b.allow('user:u2', 'project:a')).toBe(true);
    expect(b.state).toBe('closed');
  });

  it('a project probe refused by an open host frees the probe for the next call', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 6; i++) b.record(false, `user:u${i % 3}`, 'project:a');
    now += 1_000;
    for (let i = 0; i < 6; i++) b.record(false); // the host opens (not reached: everyone's)
    expect(b.state).toBe('open');
    expect(b.allow('user:u0', 'project:a')).toBe(false);
    now += 1_000; // both half-open now
    expect(b.allow('user:u0', 'project:a')).toBe(true);
    b.record(true, undefined, 'project:a');
    expect(b.state).toBe('closed');
    expect(b.projectState('project:a')).toBe('closed');
  });

  it('keeps at most MAX_PROJECT_BREAKERS, dropping a closed one for a new one', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 6; i++) b.record(false, `user:u${i % 3}`, 'project:open');
    for (let p = 0; p < MAX_PROJECT_BREAKERS + 50; p++) b.record(false, 'user:x', `project:${p}`);
    const kept = (b as unknown as { projects: Map<string, CircuitBreaker> }).projects;
    expect(kept.size).toBe(MAX_PROJECT_BREAKERS);
    expect(b.projectState('project:open')).toBe('open');
  });

  it('without a project (no Keystone), three callers still open the host as before', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 6; i++) b.record(false, `token:t${i % 3}`);
    expect(b.state).toBe('open');
  });
});
