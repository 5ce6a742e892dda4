// What a GraphQL request read from a simulated upstream: calls, round trips, and how many of the bytes of the
// items it listed never reached the answer (read speculatively and thrown away, or read twice).
import type { RecordedCall, RunningSimulator } from '../../src/simulator/server.js';

/** One listed item as the simulator sent it: its id and the size of its JSON. */
interface ListedItem {
  id: string;
  bytes: number;
}

export interface UpstreamReads {
  calls: RecordedCall[];
  /** Distinct `answeredBefore` values: calls sharing one were all sent before any of them was answered. */
  roundTrips: number;
  /** Every answer body's bytes. */
  bytesRead: number;
  /** Bytes of listed items whose id is not in the answer, and of every read of an item after its first. */
  bytesDiscarded: number;
  /** For failure messages: one line per call. */
  lines: string;
}

/** The arrays of objects with an `id` in an answer body (`{"volumes": [...]}`): what a listing lists. */
function listedItems(json: unknown): ListedItem[] {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return [];
  const out: ListedItem[] = [];
  for (const value of Object.values(json as Record<string, unknown>)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') out.push({ id, bytes: Buffer.byteLength(JSON.stringify(item)) });
    }
  }
  return out;
}

/** Every string value in a GraphQL answer: the ids it handed out. */
function answerIds(data: unknown, into = new Set<string>()): Set<string> {
  if (typeof data === 'string') into.add(data);
  else if (Array.isArray(data)) for (const v of data) answerIds(v, into);
  else if (data && typeof data === 'object') for (const v of Object.values(data)) answerIds(v, into);
  return into;
}

/**
 * Runs `request` with `sim` observed from a clean call log, and accounts for what it read. `request` resolves to
 * the GraphQL `data`, whose ids say which listed items were used.
 */
export async function measureReads(sim: RunningSimulator, request: () => Promise<unknown>): Promise<UpstreamReads & { data: any }> {
  sim.resetCalls();
  let bytesRead = 0;
  const items: ListedItem[] = [];
  sim.observe((_call, out, bytes) => {
    bytesRead += bytes;
    items.push(...listedItems(out.json));
  });
  let data: unknown;
  try {
    data = await request();
  } finally {
    sim.observe(null);
  }
  const used = answerIds(data);
  const seen = new Set<string>();
  let bytesDiscarded = 0;
  for (const item of items) {
    if (!used.has(item.id) || seen.has(item.id)) bytesDiscarded += item.bytes;
    seen.add(item.id);
  }
  const calls = [...sim.calls];
  return {
    data,
    calls,
    roundTrips: new Set(calls.map((c) => c.answeredBefore)).size,
    bytesRead,
    bytesDiscarded,
    lines: calls.map((c) => `${c.answeredBefore} ${c.method} ${decodeURIComponent(c.url)}`).join('\n'),
  };
}
