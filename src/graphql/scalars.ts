import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// Cinder/Manila send naive ISO strings ("2015-09-16T09:28:52.000000"); SDRS documents both
// "2019-05-23 03:51:58.256" and "2019-05-23T03:51:58.256Z". All are UTC.
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses any upstream timestamp to ISO-8601 UTC; null when it is not a timestamp. */
export function toIsoUtc(raw: string): string | null {
  const m = TIMESTAMP.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const date = new Date(t);
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
