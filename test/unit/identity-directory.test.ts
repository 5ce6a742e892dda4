// Issue 16: clients per endpoint (each negotiates its own API version), protections per host.
import { describe, expect, it } from 'vitest';
import { EndpointClients, endpointFor } from '../../src/identity/directory.js';
import type { Identity } from '../../src/identity/keystone.js';

const identity = (projectId: string | null): Identity => ({
  user: { id: 'u', name: 'u', domain: null },
  project: projectId ? { id: projectId, name: 'p', domain: null } : null,
  roles: ['member'],
  expiresAt: new Date(Date.now() + 60_000),
  catalog: [{ type: 'block-storage', endpoints: [{ interface: 'public', region_id: 'R1', url: `http://c1/v3/${projectId}` }] }],
});
const choice = { interface: 'public', region: null };

describe('EndpointClients', () => {
  it('makes one client per endpoint, sharing breaker and bulkhead between endpoints of one host', () => {
    let made = 0;
    const pool = new EndpointClients((endpoint, shared) => ({ endpoint, shared, n: made++ }));
    const a = pool.get('http://cinder.one:8776/v3/aaa');
    const b = pool.get('http://cinder.one:8776/v3/bbb');
    const other = pool.get('http://cinder.two:8776/v3/aaa');
    expect(pool.get('http://cinder.one:8776/v3/aaa')).toBe(a);
    expect(made).toBe(3);
    expect(a.shared).toBe(b.shared);
    expect(other.shared).not.toBe(a.shared);
    expect([...pool.hosts().keys()]).toEqual(['http://cinder.one:8776', 'http://cinder.two:8776']);
  });

  it("sizes each host's bulkhead from UPSTREAM_MAX_CONNECTIONS (64 by default, four times that waiting)", () => {
    const wide = new EndpointClients((endpoint, shared) => ({ endpoint, shared }), { connections: 96 });
    const host = wide.get('http://cinder.one:8776/v3/aaa').shared.bulkhead;
    expect([host.maxActive, host.maxQueued]).toEqual([96, 384]);
    const standard = new EndpointClients((endpoint, shared) => ({ endpoint, shared })).get('http://cinder.one:8776/v3/aaa').shared.bulkhead;
    expect([standard.maxActive, standard.maxQueued]).toEqual([64, 256]);
  });

  it('keeps at most maxClients, least recently used out', () => {
    const made: string[] = [];
    const pool = new EndpointClients((endpoint) => made.push(endpoint) && { endpoint }, { maxClients: 2 });
    const first = pool.get('http://h/v3/1');
    pool.get('http://h/v3/2');
    pool.get('http://h/v3/1');
    pool.get('http://h/v3/3');
    expect(pool.get('http://h/v3/1')).toBe(first);
    pool.get('http://h/v3/2');
    // 2 was the least recently used when 3 came: made again.
    expect(made).toEqual(['http://h/v3/1', 'http://h/v3/2', 'http://h/v3/3', 'http://h/v3/2']);
  });
});

describe('EndpointClients.onHost', () => {
  it('tells a listener of the hosts known and of each new one, once per host (the door watches their bulkheads)', () => {
    const pool = new EndpointClients((endpoint) => ({ endpoint }));
    pool.get('http://one/v3/a');
    const seen: string[] = [];
    pool.onHost((origin) => seen.push(origin));
    pool.get('http://one/v3/b');
    pool.get('http://two/v3/a');
    expect(seen).toEqual(['http://one', 'http://two']);
  });
});

describe('endpointFor', () => {
  it('a *_URL template wins and takes the project from the token; the catalog answers otherwise', () => {
    expect(endpointFor('cinder', { kind: 'template', template: 'http://x/v3/{project_id}' }, identity('abc'), choice)).toBe('http://x/v3/abc');
    expect(endpointFor('cinder', { kind: 'catalog' }, identity('abc'), choice)).toBe('http://c1/v3/abc');
  });

  it('says why there is no endpoint instead of guessing', () => {
    const unscoped = endpointFor('cinder', { kind: 'template', template: 'http://x/v3/{project_id}' }, identity(null), choice);
    expect(unscoped).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/not scoped to one/) });
    expect(endpointFor('manila', { kind: 'catalog' }, identity('abc'), choice)).toMatchObject({ message: expect.stringMatching(/no manila service/) });
    expect(endpointFor('sdrs', { kind: 'absent' }, identity('abc'), choice)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });
});
