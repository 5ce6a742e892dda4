// The planner's sense of distance (issue 5): how long a round trip to an upstream takes, and when reading ahead
// of the exact read is worth the round trip it saves.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, createAgent } from '../../src/upstreams/http.js';
import {
  BUSY_LIMIT,
  LOCAL_ROUND_TRIP_MS,
  LoopLoad,
  MS_PER_LISTED_ITEM,
  RoundTripClock,
  worthReadingAhead,
} from '../../src/upstreams/roundTrips.js';

describe('RoundTripClock', () => {
  it('knows nothing before the first answer, then the fastest of the last few calls', () => {
    const clock = new RoundTripClock(4);
    expect(clock.fastest()).toBeUndefined();
    for (const ms of [30, 5, 40, 35]) clock.record(ms);
    expect(clock.fastest()).toBe(5);
    // Four slower calls push the fast one out of the window.
    for (const ms of [25, 21, 22, 23]) clock.record(ms);
    expect(clock.fastest()).toBe(21);
    clock.record(NaN);
    clock.record(-1);
    expect(clock.fastest()).toBe(21);
  });
});

describe('worthReadingAhead', () => {
  const clockAt = (ms: number) => {
    const c = new RoundTripClock();
    c.record(ms);
    return c;
  };
  it('reads ahead for an upstream not measured yet, or one whose round trip costs more than the extra items', () => {
    expect(worthReadingAhead(new RoundTripClock(), 1000, 0)).toBe(true);
    expect(worthReadingAhead(clockAt(20), 500, 0)).toBe(true);
    expect(worthReadingAhead(clockAt(20), 20 / MS_PER_LISTED_ITEM + 100, 0)).toBe(false);
  });
  it('never for an upstream next door, however few the extra items', () => {
    expect(worthReadingAhead(clockAt(LOCAL_ROUND_TRIP_MS / 2), 1, 0)).toBe(false);
    expect(worthReadingAhead(clockAt(LOCAL_ROUND_TRIP_MS), 1, 0)).toBe(true);
  });
  it('never while this process is short of CPU, however far the upstream', () => {
    expect(worthReadingAhead(clockAt(50), 10, BUSY_LIMIT - 0.05)).toBe(true);
    expect(worthReadingAhead(clockAt(50), 10, BUSY_LIMIT)).toBe(false);
    expect(worthReadingAhead(new RoundTripClock(), 10, 1)).toBe(false);
  });
});

describe('LoopLoad', () => {
  it('reads idle at first, then the share of the last interval the event loop spent busy', async () => {
    const load = new LoopLoad(100);
    expect(load.busy()).toBe(0);
    const until = performance.now() + 250;
    while (performance.now() < until) {
      // keep the loop busy through two intervals; the timer runs as soon as the loop is free
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(load.busy()).toBeGreaterThan(0.5);
    await new Promise((r) => setTimeout(r, 250));
    expect(load.busy()).toBeLessThan(0.5);
  });
});

describe('HttpClient times its calls', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), req.url === '/slow' ? 150 : 0);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('records the time to the response headers of each answered call', async () => {
    const client = new HttpClient({ service: 'cinder', endpoint: origin, agent: createAgent({ connectMs: 1_000, headersMs: 5_000, bodyMs: 5_000 }) });
    expect(client.roundTrips.fastest()).toBeUndefined();
    await client.send({ method: 'GET', path: '/slow' });
    expect(client.roundTrips.fastest()).toBeGreaterThanOrEqual(140);
    await client.send({ method: 'GET', path: '/fast' });
    expect(client.roundTrips.fastest()).toBeLessThan(140);
  });
});
