import { describe, expect, it } from 'vitest';
import { markerCursor, markerFromCursor, offsetCursor, offsetFromCursor, pageSize } from '../../src/graphql/connections.js';
import { enumValue, toIsoUtc } from '../../src/graphql/scalars.js';

describe('toIsoUtc', () => {
  it.each([
    ['2015-09-16T09:28:52.000000', '2015-09-16T09:28:52.000Z'],
    ['2019-05-23 03:51:58.256', '2019-05-23T03:51:58.256Z'],
    ['2019-05-23T03:51:58.256Z', '2019-05-23T03:51:58.256Z'],
    ['2019-05-23T05:51:58+02:00', '2019-05-23T03:51:58.000Z'],
    ['2019-05-23T03:51:58', '2019-05-23T03:51:58.000Z'],
  ])('reads %s as UTC', (raw, iso) => {
    expect(toIsoUtc(raw)).toBe(iso);
  });

  it('refuses what is not a timestamp', () => {
    expect(toIsoUtc('yesterday')).toBeNull();
  });
});

describe('enumValue', () => {
  const known = ['AVAILABLE', 'ERROR_DELETING', 'FAILED_OVER', 'IN_USE'] as const;
  it('maps snake, kebab and unknown values', () => {
    expect(enumValue('error_deleting', known)).toBe('ERROR_DELETING');
    expect(enumValue('failed-over', known)).toBe('FAILED_OVER');
    expect(enumValue('in-use', known)).toBe('IN_USE');
    expect(enumValue('brand-new-status', known)).toBe('UNKNOWN');
    expect(enumValue(null, known)).toBe('UNKNOWN');
  });
});

describe('cursors', () => {
  it('round-trip markers and offsets', () => {
    expect(markerFromCursor(markerCursor('0b1c2d3e-aaaa-bbbb-cccc-000000000001'))).toBe('0b1c2d3e-aaaa-bbbb-cccc-000000000001');
    expect(offsetFromCursor(offsetCursor(7))).toBe(8);
    expect(offsetFromCursor(null)).toBe(0);
  });

  it('reject forged cursors that would smuggle a path into a marker', () => {
    const forged = Buffer.from('m:../../etc').toString('base64url');
    expect(() => markerFromCursor(forged)).toThrow(/Invalid "after" cursor/);
    expect(() => markerFromCursor('not base64 !')).toThrow(/Invalid "after" cursor/);
    expect(() => offsetFromCursor(markerCursor('abc'))).toThrow(/Invalid "after" cursor/);
  });

  it('bounds page sizes', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(() => pageSize(0)).toThrow(/between 1 and 1000/);
    expect(() => pageSize(1001)).toThrow(/between 1 and 1000/);
  });
});
