import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// Cinder/Manila send naive ISO strings ("2015-09-16T09:28:52.000000"); SDRS documents both
// "2019-05-23 03:51:58.256" and "2019-05-23T03:51:58.256Z". All are UTC.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * Parses any upstream timestamp to ISO-8601 UTC; null when it is not a timestamp. Every part is checked against
 * its range: Date.UTC rolls `2024-02-30` over to March 1 and reads years 0-99 as 1900-1999, silently.
 */
export function toIsoUtc(raw: string): string | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(frac.padEnd(3, '0').slice(0, 3)));
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const [zh, zm] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    if (zh > 23 || zm > 59) return null;
    date.setTime(date.getTime() - (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm) * 60_000);
  }
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An instant in UTC, ISO-8601.',
  serialize(value) {
    const iso = typeof value === 'string' ? toIsoUtc(value) : value instanceof Date ? value.toISOString() : null;
    if (iso === null) throw new GraphQLError(`Upstream sent a timestamp this facade cannot read: ${String(value).slice(0, 40)}`);
    return iso;
  },
  parseValue(value) {
    const iso = typeof value === 'string' ? toIsoUtc(value) : null;
    if (iso === null) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return iso;
  },
  parseLiteral(ast) {
    const iso = ast.kind === Kind.STRING ? toIsoUtc(ast.value) : null;
    if (iso === null) throw new GraphQLError('DateTime must be an ISO-8601 string.');
    return iso;
  },
});

/** An upstream status in the enum spelling: `failing-over`, `error_deleting`, `FAILING_OVER` -> FAILING_OVER, ERROR_DELETING. */
export function enumSpelling(raw: string | null | undefined): string {
  // Not a string (an upstream answering `"status": 7`): UNKNOWN, as any value the facade does not know.
  return (typeof raw === 'string' ? raw : '').trim().toUpperCase().replace(/[-\s]/g, '_');
}

/** Maps an upstream status string onto a GraphQL enum value; anything unknown becomes UNKNOWN. */
export function enumValue<T extends string>(raw: string | null | undefined, known: readonly T[]): T | 'UNKNOWN' {
  const v = enumSpelling(raw);
  return (known as readonly string[]).includes(v) ? (v as T) : 'UNKNOWN';
}

/** Inverse of `enumValue` for input: CINDER_ENUM -> cinder_enum or kebab-case. */
export function wireValue(value: string, style: 'snake' | 'kebab'): string {
  const lower = value.toLowerCase();
  return style === 'kebab' ? lower.replace(/_/g, '-') : lower;
}
