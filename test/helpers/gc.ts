// What the GC tests measure with: collections on demand, and the old generation's size. Importing this turns on
// `--expose-gc` for the test file's worker and turns off allocation-site pretenuring there.
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';

v8.setFlagsFromString('--expose-gc');
// Growth of the old generation stands for promotion only if nothing is allocated there directly: V8 would start
// doing that for an allocation site whose objects a scavenge found alive (pretenuring), as a build loop's are.
v8.setFlagsFromString('--no-allocation-site-pretenuring');

/** A full collection, or with `{ type: 'minor' }` a scavenge. */
export const gc = runInNewContext('gc') as (opts?: { type: 'minor' | 'major' }) => void;

/** Bytes in use in the old generation. */
export const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
