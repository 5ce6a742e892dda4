import { describe, expect, it } from 'vitest';
import { clientOf } from '../../src/http/clientAddress.js';

describe('clientOf', () => {
  it('an IPv4 address is itself, also when it arrives IPv4-mapped', () => {
    expect(clientOf('10.1.2.3')).toBe('10.1.2.3');
    expect(clientOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientOf('::FFFF:10.1.2.3')).toBe('10.1.2.3');
  });

  it('IPv6 addresses of one /64 are one client, however they are written; another /64 is another', () => {
    const a = clientOf('2001:db8:1:2::1');
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:0db8:0001:0002:ffff:0:0:9')).toBe(a);
    expect(clientOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd%eth0')).toBe(a);
    expect(clientOf('2001:db8:1:3::1')).not.toBe(a);
    expect(clientOf('::1')).toBe('0:0:0:0::/64');
    expect(clientOf('fe80::1:2')).toBe('fe80:0:0:0::/64');
    expect(clientOf('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('no address is one "unknown" client', () => {
    expect(clientOf(undefined)).toBe('unknown');
    expect(clientOf('')).toBe('unknown');
  });
});
