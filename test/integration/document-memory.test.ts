// A client cycling through distinct documents, each near the shape limits (14 aliased lists): what the facade keeps.
// Before, V8's compilation cache kept every compiled document's code (graphql-jit compiles with `new Function`),
// Apollo's document store kept 30 MiB of documents' JSON (about 200 MB of heap) and the executor 100 compiled
// documents of any size: about a megabyte a document, 2 GB after 3,000 in a process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { gc } from '../helpers/gc.js';

const FIELDS = 'id name status description createdAt groupType { id name } volumes { id name }';
const documentNumber = (n: number) =>
  `query Q${n} { ${Array.from({ length: 14 }, (_, k) => `a${n}_${k}: groups(first: 1) { nodes { ${FIELDS} } }`).join(' ')} }`;

describe('distinct documents near the shape limits', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '0' });
  });
  afterAll(() => f.close());

  it('400 of them, each compiled: the heap grows by under 150 MB (it grew by about 400)', async () => {
    await f.ok(documentNumber(1_000));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 0; n < 400; n += 8) {
      const batch = Array.from({ length: 8 }, (_, j) => f.gql(documentNumber(n + j)));
      for (const r of await Promise.all(batch)) expect(r.errors).toBeUndefined();
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(150 * 2 ** 20);
    expect(f.app.server.execution().compiledChars).toBeLessThanOrEqual(16 * 2 ** 20);
  }, 120_000);
});

// Each in a facade of its own: documents freed by the first test's evictions would hide what this one keeps.
describe('small documents padded with whitespace', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ MAX_IN_FLIGHT_PER_CALLER: '0' });
  });
  afterAll(() => f.close());

  it('400 small documents padded to 240 KB: the store counts their text, and the heap grows by under 50 MB (it grew by about 100)', async () => {
    // Whitespace and comments are no tokens, so the padding passes every shape limit; the parsed document keeps it.
    const padded = (n: number) => `{ __typename }${' '.repeat(240_000)}# ${n}`;
    await f.ok(padded(-1));
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 0; n < 400; n++) expect((await f.gql(padded(n))).errors).toBeUndefined();
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(50 * 2 ** 20);
  }, 120_000);
});
