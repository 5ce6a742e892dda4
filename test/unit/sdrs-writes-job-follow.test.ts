// A followed job is not read once its request has been answered: a field the answer did not wait for (a
// sibling failed it first) must not poll on, uncounted, after the request has let go of its slot.
import { describe, expect, it } from 'vitest';
import { RequestTrace } from '../../src/observability/requestTrace.js';
import type { Caller } from '../../src/upstreams/caller.js';
import type { SdrsClient } from '../../src/upstreams/sdrs/client.js';
import { createSdrsLoaders } from '../../src/upstreams/sdrs/loaders.js';
import type { SdrsJob } from '../../src/upstreams/sdrs/types.js';
import type { RequestContext } from '../../src/context.js';
import { jobPayload } from '../../src/resolvers/sdrs/mutations/jobPayload.js';

const JOB = 'ff8080828f3a61c00195a1b2c3d40001';
const running: SdrsJob = {
  job_id: JOB, status: 'RUNNING', job_type: null, begin_time: null, end_time: null, error_code: null, fail_reason: null, entities: null,
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('waitForJob', () => {
  it('stops reading the job once the request is answered', async () => {
    let reads = 0;
    const client = { http: { bulkhead: { maxActive: 4 } }, showJob: async () => (reads++, running) } as unknown as SdrsClient;
    const trace = new RequestTrace('req-a', 'req-b', null);
    const caller: Caller = { token: null, requestId: 'req-b', trace, deadline: Date.now() + 10_000 };
    const waiting = createSdrsLoaders(client, caller).waitForJob(JOB, 5_000);
    const settled = waiting.then(() => 'resolved', () => 'rejected');
    await pause(600);
    expect(reads).toBeGreaterThanOrEqual(2);
    trace.answered = true;
    const readsWhenAnswered = reads;
    await pause(800);
    expect(reads).toBe(readsWhenAnswered);
    expect(await Promise.race([settled, pause(0).then(() => 'still polling')])).toBe('rejected');
  });
});

describe('jobPayload', () => {
  it('reads no group once the request is answered while its job was followed', async () => {
    let jobReads = 0;
    let groupReads = 0;
    const client = {
      http: { bulkhead: { maxActive: 4 } },
      showJob: async () => (jobReads++, running),
      showGroup: async () => {
        groupReads++;
        throw new Error('read after the answer');
      },
    } as unknown as SdrsClient;
    const trace = new RequestTrace('req-a', 'req-b', null);
    const caller: Caller = { token: null, requestId: 'req-b', trace, deadline: Date.now() + 10_000 };
    const loaders = createSdrsLoaders(client, caller);
    const ctx = { caller, sdrs: () => ({ client, loaders }) } as unknown as RequestContext;
    const payload = jobPayload(ctx, JOB, 'c4d8a1f6-2e7b-4c90-b5d3-6e1f2a3b4c52', 5_000);
    const group = payload.protectionGroup();
    await pause(400);
    expect(jobReads).toBeGreaterThanOrEqual(1);
    trace.answered = true; // a sibling's error ended the answer
    expect(await group).toBeNull();
    expect(groupReads).toBe(0);
  });
});
