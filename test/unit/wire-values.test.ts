// Wire audit of 2026-12-08: String() of a JSON object with a "toString" key throws, so a fault level or a spec of
// that shape was an INTERNAL_SERVER_ERROR on its field (and on the group's allowedActions).
import { describe, expect, it } from 'vitest';
import { keyValues } from '../../src/resolvers/cinder/keyValues.js';
import { faultLevel } from '../../src/resolvers/sdrs/statuses.js';

const hostile = JSON.parse('{"toString": 1}');

describe('values of another type than the API documents', () => {
  it('a fault level that is an object: UNKNOWN, and no link-down', () => {
    expect(faultLevel(hostile)).toBe('UNKNOWN');
    expect(faultLevel(hostile)).not.toBe('REPLICATION_LINK_DOWN');
    expect(faultLevel(5)).toBe('REPLICATION_LINK_DOWN');
    expect(faultLevel(' 5 ')).toBe('REPLICATION_LINK_DOWN');
  });

  it('specs: a map of strings, numbers or booleans; anything else is the upstream error', () => {
    expect(keyValues({ a: '1', b: 2, c: true }, 'cinder')).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'c', value: 'true' }]);
    expect(() => keyValues({ a: hostile }, 'manila')).toThrow(expect.objectContaining({ code: 'UPSTREAM_ERROR', message: 'Manila answered specs that are not a map of strings.' }));
    expect(() => keyValues('abc', 'cinder')).toThrow(expect.objectContaining({ code: 'UPSTREAM_ERROR' }));
    expect(keyValues(null, 'cinder')).toBeNull();
    // Review of 2026-12-08: Cinder stores a volume type's extra spec of null as given.
    expect(keyValues({ a: null }, 'cinder')).toEqual([{ key: 'a', value: 'null' }]);
  });
});

describe('a listing count of another value than a whole number', () => {
  it('is as if none was sent', async () => {
    const { countOf } = await import('../../src/upstreams/wire.js');
    expect([countOf(12), countOf(0), countOf(Infinity), countOf(-5), countOf(1.5), countOf('3'), countOf(2 ** 60)]).toEqual([12, 0, null, null, null, null, null]);
  });
});
