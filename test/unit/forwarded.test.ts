import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClientAddresses, parseTrustedProxies } from '../../src/http/forwarded.js';
import { loadConfig } from '../../src/config.js';

const req = (peer: string, xff?: string | string[]) =>
  ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('TRUSTED_PROXIES', () => {
  it('parses addresses and CIDR ranges, and refuses anything else at start-up', () => {
    expect(parseTrustedProxies(' 10.0.0.0/8, fd00::/8 ,127.0.0.1,')).toEqual(['10.0.0.0/8', 'fd00::/8', '127.0.0.1']);
    expect(parseTrustedProxies(undefined)).toEqual([]);
    for (const bad of ['10.0.0.0/33', 'balancer.local', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x']) {
      expect(parseTrustedProxies(bad)).toHaveProperty('error');
    }
    expect(() => loadConfig({ TRUSTED_PROXIES: '10.0.0.0/40' })).toThrow(/TRUSTED_PROXIES must be .*10\.0\.0\.0\/40/);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8' }).limits.trustedProxies).toEqual(['10.0.0.0/8']);
  });

  it('without it, X-Forwarded-For is ignored: the peer is the client, whatever a client writes', () => {
    const clients = new ClientAddresses([]);
    expect(clients.of(req('198.51.100.9', '203.0.113.5'))).toBe('198.51.100.9');
  });

  it('behind a trusted proxy, the client is the rightmost hop no trusted proxy added; what a client wrote at the left does not count', () => {
    const clients = new ClientAddresses(['10.0.0.0/8', '127.0.0.1']);
    expect(clients.of(req('10.0.0.2', '203.0.113.5'))).toBe('203.0.113.5');
    // The client claimed 192.0.2.1; the balancer appended what it saw, 203.0.113.5; an inner proxy 10.1.1.1.
    expect(clients.of(req('10.0.0.2', '192.0.2.1, 203.0.113.5, 10.1.1.1'))).toBe('203.0.113.5');
    expect(clients.of(req('10.0.0.2', ['192.0.2.1', '203.0.113.5']))).toBe('203.0.113.5');
    // A peer outside the list is the client itself, X-Forwarded-For or not.
    expect(clients.of(req('198.51.100.9', '203.0.113.5'))).toBe('198.51.100.9');
    // An IPv4-mapped peer is its IPv4 address.
    expect(clients.of(req('::ffff:127.0.0.1', '203.0.113.5'))).toBe('203.0.113.5');
    // No header: the proxy's own request.
    expect(clients.of(req('10.0.0.2'))).toBe('10.0.0.2');
    // Every hop trusted: the leftmost.
    expect(clients.of(req('10.0.0.2', '10.9.9.9, 10.1.1.1'))).toBe('10.9.9.9');
  });

  it('reads ports and brackets some proxies add, and stops at a hop that is not an address', () => {
    const clients = new ClientAddresses(['10.0.0.0/8', 'fd00::/8']);
    expect(clients.of(req('10.0.0.2', '203.0.113.5:4711'))).toBe('203.0.113.5');
    expect(clients.of(req('fd00::2', '[2001:db8::7]:443'))).toBe('2001:db8::7');
    expect(clients.of(req('10.0.0.2', '203.0.113.5, unknown'))).toBe('10.0.0.2');
    expect(clients.of(req('10.0.0.2', 'x'.repeat(10_000)))).toBe('10.0.0.2');
  });
});
