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

  // End-to-end probe of 2026-12-07: users and projects were counted apart, so one person with a role in two
  // projects and two colleagues of a third opened the host's circuit for everyone.
  it('needs three failing (user, project) pairs with no user and no project in common', () => {
    const b = new CircuitBreaker(opts);
    for (let i = 0; i < 3; i++) {
      b.record(false, 'user:u1', 'project:a');
      b.record(false, 'user:u2', 'project:a');
    }
    b.record(false, 'user:eve', 'project:c');
    b.record(false, 'user:eve', 'project:d');
    expect(b.state).toBe('closed');
    const c = new CircuitBreaker(opts);
    for (const [user, project] of [['u1', 'a'], ['u2', 'a'], ['eve', 'c'], ['eve', 'd'], ['u2', 'd'], ['eve', 'c']]) c.record(false, `user:${user}`, `project:${project}`);
    expect(c.state).toBe('open'); // u1-a, u2-d, eve-c
  });

  // The same probe: sick projects took every half-open probe in turn (each as long as a timeout), and a healthy
  // project asking less often never got one.
  it("half-open: a project whose probe failed waits while another that has not failed one is asking", () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 6; i++) b.record(false);
    now = 1_000;
    expect(b.allow('user:u1', 'project:a')).toBe(true); // a sick project's probe
    now = 2_000;
    b.record(false, 'user:u1', 'project:a'); // timed out
    expect(b.allow('user:eve', 'project:c')).toBe(true); // another sick one's, which has not failed yet
    now = 3_000;
    expect(b.allow('user:alice', 'project:b')).toBe(false); // probing: the healthy one is told no, and remembered
    now = 3_500;
    b.record(false, 'user:eve', 'project:c');
    // openMs has passed since a's probe failed, but someone who has not failed one asked meanwhile.
    expect(b.allow('user:u1', 'project:a')).toBe(false);
    expect(b.allow('user:eve', 'project:c')).toBe(false);
    expect(b.allow('user:alice', 'project:b')).toBe(true);
    b.record(true, undefined, 'project:b');
    expect(b.state).toBe('closed');
  });

  // Review of 2026-12-07: the failed probes kept one user per project, and lost pairs that were apart.
  it('half-open: failed probes of three pairs apart open it again, whatever else failed in between', () => {
    let now = 0;
    const b = new CircuitBreaker(opts, () => now);
    for (let i = 0; i < 6; i++) b.record(false);
    for (const [user, project] of [['u2', 'a'], ['u1', 'b'], ['u1', 'a'], ['u3', 'c']]) {
      now += 1_000;
      expect(b.allow(`user:${user}`, `project:${project}`), `${user}@${project}`).toBe(true);
      b.record(false, `user:${user}`, `project:${project}`);
    }
    expect(b.state).toBe('open'); // u2-a, u1-b, u3-c
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
