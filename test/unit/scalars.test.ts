import { describe, expect, it } from 'vitest';
import { keyedCursor, markerCursor, markerFromCursor, offsetAfter, offsetCursor, offsetFromCursor, pageSize } from '../../src/graphql/connections.js';
import { resumeIndex } from '../../src/resolvers/resume.js';
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

  // Each was read as another instant before (probe of 2026-12-07): 2024-03-01, +010007-06-11, 2023-11-30, ...
  it.each(['2024-02-30T00:00:00', '2023-02-29T00:00:00', '9999-99-99T99:99:99', '2024-00-00T00:00:00', '2024-01-01T24:00:00', '2024-01-01T00:60:00', '2024-01-01T00:00:60', '2024-01-01T00:00:00+99:99', '2024-04-31T00:00:00'])(
    'refuses the impossible %s',
    (raw) => {
      expect(toIsoUtc(raw)).toBeNull();
    },
  );

  it('reads leap days, the ends of months and years before 100 as written', () => {
    expect(toIsoUtc('2024-02-29T23:59:59')).toBe('2024-02-29T23:59:59.000Z');
    expect(toIsoUtc('2000-02-29T00:00:00')).toBe('2000-02-29T00:00:00.000Z');
    expect(toIsoUtc('2024-12-31T23:59:59.999')).toBe('2024-12-31T23:59:59.999Z');
    expect(toIsoUtc('0050-01-01T00:00:00')).toBe('0050-01-01T00:00:00.000Z');
    expect(toIsoUtc('2024-01-01T00:30:00-01:30')).toBe('2024-01-01T02:00:00.000Z');
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
    const shares = { listing: 'shares' } as const;
    expect(offsetFromCursor(offsetCursor(shares, 7, '0b1c2d3e-aaaa-4bbb-8ccc-000000000001'), shares)).toBe(8);
    expect(offsetFromCursor(null, shares)).toBe(0);
  });

  it('name the item that followed theirs, when it is an id a cursor may carry', () => {
    const shares = { listing: 'shares' } as const;
    const [a, b] = ['0b1c2d3e-aaaa-4bbb-8ccc-000000000001', '0b1c2d3e-aaaa-4bbb-8ccc-000000000002'];
    expect(offsetAfter(offsetCursor(shares, 7, a, b), shares)).toEqual({ start: 8, lastId: a, nextId: b });
    expect(offsetAfter(offsetCursor(shares, 7, a, 'not/an:id'), shares)).toEqual({ start: 8, lastId: a, nextId: undefined });
    expect(markerFromCursor(keyedCursor('k', 'g', 3, a, undefined, b))).toBe(a);
    const forged = Buffer.from(`o:f:7:${a}/../x`).toString('base64url');
    expect(() => offsetAfter(forged, shares)).toThrow(/Invalid "after" cursor/);
  });

  it('resume after the cursor\'s item, else at the one that followed it, else at its position', () => {
    const items = ['p', 'q', 'r', 's', 't', 'u', 'v', 'w'].map((id) => ({ id }));
    // Read from 0 (window of 5 before position 5), asked 10: r was the cursor's item, s followed it.
    expect(resumeIndex(items, 'r', 5, 0, 2, 10, 's')).toBe(3);
    expect(resumeIndex(items, 'gone', 5, 0, 2, 10, 't')).toBe(4);
    expect(resumeIndex(items, 'gone', 5, 0, 2, 10, 'gone-too')).toBe(4);
    expect(resumeIndex(items, 'gone', 5, 0, 2, 10)).toBe(4);
    expect(resumeIndex(items, 'gone', 3, 0, 2, 10, 'q')).toBe(1);
  });

  it('reject forged cursors that would smuggle a path into a marker', () => {
    const forged = Buffer.from('m:../../etc').toString('base64url');
    expect(() => markerFromCursor(forged)).toThrow(/Invalid "after" cursor/);
    expect(() => markerFromCursor('not base64 !')).toThrow(/Invalid "after" cursor/);
    expect(() => offsetFromCursor(markerCursor('abc'), { listing: 'shares' })).toThrow(/Invalid "after" cursor/);
  });

  it('bounds page sizes', () => {
    expect(pageSize(undefined)).toBe(50);
    expect(() => pageSize(0)).toThrow(/between 1 and 1000/);
    expect(() => pageSize(1001)).toThrow(/between 1 and 1000/);
  });
});
