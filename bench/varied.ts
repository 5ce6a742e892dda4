// What each request of the cold and varied scenarios asks for (issue 19): a token of its own or the shared one;
// the same page, or a random page, sort or name filter. Seeded, so two runs send the same sequence.
import { gqlBody } from './client.js';
import type { VariedRequest } from './drive.js';
import { CINDER_CURSORS, CINDER_SCREEN, CINDER_VARIED_SCREEN, graphqlBody } from './queries.js';

export type Mix = 'same page' | 'random pages';

const SORTS = [null, { key: 'NAME', direction: 'ASC' }, { key: 'CREATED_AT', direction: 'ASC' }, { key: 'ID', direction: 'DESC' }];

/** mulberry32: a small seeded generator; Math.random would make every run ask for other pages. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The cursors of each sort's first 1000 groups, read once with the warm token. */
export async function harvestCursors(url: string): Promise<string[][]> {
  const out: string[][] = [];
  for (const sort of SORTS) {
    const { value } = await gqlBody<{ groups: { edges: { cursor: string }[] } }>(url, JSON.stringify({ query: CINDER_CURSORS, variables: { sort } }));
    out.push(value.groups.edges.map((e) => e.cursor));
  }
  return out;
}

export interface VariedOptions {
  n: number;
  mix: Mix;
  /** A new token per request (a caller the facade has never seen) or one token throughout. */
  cold: boolean;
  /** Per sort (SORTS order), where random pages may start. */
  cursors: string[][];
  /** Generated groups are named bench-group-00001 … this. */
  groups: number;
  seed: number;
  warmToken: string;
}

let tokenSeq = 0;
const runTag = Date.now().toString(36);

/**
 * A random page: a fifth are a name filter (one group), a fifth the first page under a random sort, the rest
 * start after a random cursor of a random sort.
 */
function randomBody(o: VariedOptions, random: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const r = random();
  if (r < 0.2) {
    const name = `bench-group-${String(1 + Math.floor(random() * o.groups)).padStart(5, '0')}`;
    return JSON.stringify({ query: CINDER_VARIED_SCREEN, variables: { n: o.n, filter: { name } } });
  }
  const s = Math.floor(random() * SORTS.length);
  const after = r < 0.4 ? null : pick(o.cursors[s]!);
  return JSON.stringify({ query: CINDER_VARIED_SCREEN, variables: { n: o.n, sort: SORTS[s], after } });
}

export function variedRequests(o: VariedOptions): () => VariedRequest {
  const random = seededRandom(o.seed);
  const same = graphqlBody(CINDER_SCREEN, o.n);
  return () => ({
    token: o.cold ? `bench-cold-${runTag}-${++tokenSeq}` : o.warmToken,
    body: o.mix === 'same page' ? same : randomBody(o, random),
  });
}
