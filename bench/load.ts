// autocannon against one URL, keeping every response time (autocannon's own histogram rounds to whole ms).
import autocannon from 'autocannon';
import { TOKEN } from './queries.js';
import { percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  durationSec: number;
  /** Requests per second over all connections; absent: as fast as the server answers. */
  rate?: number;
  /** Extra request headers, e.g. the hand-written baseline's `x-bench-plan`. */
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  /** Completed requests per second of wall time. */
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Non-2xx answers, connection errors and bodies carrying GraphQL errors: must be 0 for a valid run. */
  failures: number;
  seconds: number;
}

export function load(opts: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-auth-token': TOKEN, ...opts.headers },
        body: opts.body,
        connections: opts.connections,
        duration: opts.durationSec,
        overallRate: opts.rate,
        // autocannon 8 corrects for coordinated omission with an expected interval of ceil(1/rate) = 1 ms,
        // which back-fills synthetic 1..N ms samples under every response; the raw times are the truth here.
        ignoreCoordinatedOmission: opts.rate !== undefined ? true : undefined,
        timeout: 30,
        verifyBody: (body) => typeof body === 'string' && !body.includes('"errors"'),
      },
      (err, result) => {
        if (err) return reject(err);
        resolve({
          requests: result.requests.total,
          rps: result.requests.total / result.duration,
          p50: percentile(times, 50),
          p99: percentile(times, 99),
          max: percentile(times, 100),
          failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
          seconds: result.duration,
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) times.push(ms);
    });
  });
}
