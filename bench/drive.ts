// Load whose every request may differ (issue 19): its own token, page, sort or filter. autocannon sends one body
// and one token; this driver asks `next()` for each request. Closed loop (a few workers back to back) or open
// loop (a fixed rate, each request sent on time whatever the ones before it are doing).
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { percentile, sleep } from './stats.js';

export interface VariedRequest {
  token: string;
  body: string;
}

export interface DriveOptions {
  url: string;
  next: () => VariedRequest;
  durationSec: number;
  /** Closed loop: this many requests in flight, each sent when the one before it is answered. */
  workers?: number;
  /** Open loop: this many requests per second. */
  rate?: number;
  /**
   * With `rate`: at most this many in flight (as autocannon's connections); a request due while all are busy
   * waits for one, so an overloaded target sees the rate fall rather than an unbounded queue. Default: the rate
   * times 200 ms (Little's law: a screen may take up to 200 ms before the driver holds back; 10 in flight capped a
   * 2-round-trip screen of 50 ms at 190 of 200 req/s), and at most 16: one token may have no more in progress at
   * the facade (MAX_IN_FLIGHT_PER_CALLER), and the warm loads are one token.
   */
  maxInFlight?: number;
}

export interface DriveResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Non-200 answers, bodies with GraphQL errors, network failures: must be 0 for a valid run. */
  failures: number;
  firstFailure?: string;
  seconds: number;
  /** Each answered request's milliseconds, for merging windows (mergeDrives). */
  latencies: number[];
}

/** The facade's default MAX_IN_FLIGHT_PER_CALLER. */
const ONE_CALLER_IN_FLIGHT = 16;

const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });

async function send(url: string, r: VariedRequest): Promise<string | null> {
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json', 'x-auth-token': r.token },
      body: r.body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text.includes('"errors"')) return `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export async function drive(opts: DriveOptions): Promise<DriveResult> {
  const times: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const end = start + opts.durationSec * 1000;
  const one = async () => {
    const t = performance.now();
    const failed = await send(opts.url, opts.next());
    if (failed === null) times.push(performance.now() - t);
    else {
      failures++;
      firstFailure ??= failed;
    }
  };
  if (opts.rate) {
    const inFlight = new Set<Promise<void>>();
    const cap = opts.maxInFlight ?? Math.min(ONE_CALLER_IN_FLIGHT, Math.max(10, Math.ceil(opts.rate * 0.2)));
    const interval = 1000 / opts.rate;
    for (let i = 0; start + i * interval < end; i++) {
      const due = start + i * interval - performance.now();
      if (due > 0) await sleep(due);
      if (inFlight.size >= cap) await Promise.race(inFlight);
      const p: Promise<void> = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    const worker = async () => {
      while (performance.now() < end) await one();
    };
    await Promise.all(Array.from({ length: opts.workers ?? 4 }, worker));
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    requests: times.length,
    rps: times.length / seconds,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    failures,
    firstFailure,
    seconds,
    latencies: times,
  };
}

/** Windows of one load taken apart (alternated with another load) as if they had been one. */
export function mergeDrives(parts: DriveResult[]): DriveResult {
  const latencies = parts.flatMap((p) => p.latencies);
  const seconds = parts.reduce((a, p) => a + p.seconds, 0);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures: parts.reduce((a, p) => a + p.failures, 0),
    firstFailure: parts.find((p) => p.firstFailure)?.firstFailure,
    seconds,
    latencies,
  };
}

export async function closeDriver(): Promise<void> {
  await agent.close();
}
