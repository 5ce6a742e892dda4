// SDRS values of another type than the API reference's (a number where a string is documented) read as unknown or
// empty, as any value the facade does not know: they were a TypeError in the resolver, an INTERNAL_SERVER_ERROR.
import { describe, expect, it } from 'vitest';
import { isJobFinished } from '../../src/upstreams/sdrs/jobs.js';
import { ReplicationPair } from '../../src/resolvers/sdrs/ReplicationPair.js';
import { priorityStation } from '../../src/resolvers/sdrs/statuses.js';

describe('SDRS values of another type', () => {
  it('a priority station, a job status and a pair volume list that are not strings', () => {
    expect(priorityStation(7 as never)).toBeNull();
    expect(priorityStation('Target')).toBe('TARGET');
    expect(isJobFinished({ status: 7 as never })).toBe(false);
    const volumeIds = ReplicationPair.volumeIds as (p: unknown) => string[];
    expect(volumeIds({ volume_ids: 5 })).toEqual([]);
    expect(volumeIds({ volume_ids: 'a, b' })).toEqual(['a', 'b']);
  });
});
