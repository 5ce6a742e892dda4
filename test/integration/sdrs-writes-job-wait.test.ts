// An SDRS action's job is read only for the fields that need it, and never after the answer is out: a wait
// started for nothing polled on for ~9 s after an answer of `jobId` alone, uncounted and holding no slot.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';
import { type FakeSdrs, startFakeSdrs } from './sdrs-writes-fake.js';

const STOP = (fields: string) => `mutation($id: ID!, $w: Int) { stopProtection(input: { id: $id, waitSeconds: $w }) { ${fields} } }`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SDRS job payloads read the job lazily', () => {
  let sdrs: FakeSdrs;
  let f: Facade;
  const after = (t: number) => sdrs.calls.filter((c) => c.at > t);
  const jobReads = () => sdrs.calls.filter((c) => c.path.includes('/jobs/'));

  beforeAll(async () => {
    sdrs = await startFakeSdrs();
    f = await startFacade({ SDRS_URL: sdrs.url });
  });
  afterAll(async () => {
    await f.close();
    await sdrs.close();
  });
  beforeEach(() => {
    sdrs.calls.length = 0;
  });

  it('an answer that selects only jobId reads no job, during the request or after it', async () => {
    const d = await f.ok<any>(STOP('jobId'), { id: sdrs.group.id, w: 30 });
    const answered = Date.now();
    expect(d.stopProtection.jobId).toMatch(/^[0-9a-f]{32}$/);
    await pause(1_000);
    expect(sdrs.calls.map((c) => c.method)).toEqual(['POST']);
    expect(after(answered)).toEqual([]);
  });

  it('job and protectionGroup share one wait, held inside the request, and nothing is read after the answer', async () => {
    const t0 = Date.now();
    const d = await f.ok<any>(STOP('jobId job { status finished } protectionGroup { id name }'), { id: sdrs.group.id, w: 1 });
    const answered = Date.now();
    expect(answered - t0).toBeGreaterThanOrEqual(1_000);
    expect(d.stopProtection.job).toEqual({ status: 'RUNNING', finished: false });
    expect(d.stopProtection.protectionGroup).toEqual({ id: sdrs.group.id, name: 'billing-db' });
    // One poll at 250 ms for a second: about five reads (two waits would make about ten).
    expect(jobReads().length).toBeGreaterThanOrEqual(3);
    expect(jobReads().length).toBeLessThanOrEqual(7);
    expect(sdrs.calls.filter((c) => c.method === 'GET' && c.path.endsWith(String(sdrs.group.id)))).toHaveLength(1);
    await pause(800);
    expect(after(answered)).toEqual([]);
  });

  it('protectionGroup alone still waits for the job, so the group is seen as the job left it', async () => {
    const d = await f.ok<any>(STOP('protectionGroup { id }'), { id: sdrs.group.id, w: 1 });
    expect(d.stopProtection.protectionGroup).toEqual({ id: sdrs.group.id });
    expect(jobReads().length).toBeGreaterThanOrEqual(3);
    const lastJobRead = Math.max(...jobReads().map((c) => c.at));
    const groupRead = sdrs.calls.find((c) => c.method === 'GET' && c.path.endsWith(String(sdrs.group.id)));
    expect(groupRead!.at).toBeGreaterThanOrEqual(lastJobRead);
  });
});
