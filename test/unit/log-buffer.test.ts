// A log destination nobody reads (a stalled collector on stdout): its lines waited in the heap without end, about
// 0.4 KB per request. Now at most a bound waits, and the rest are dropped and counted (log_lines_dropped_total).
import { spawn } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { bufferedDestination, droppedLogLines } from '../../src/observability/logger.js';

// A pipe whose reader never reads: the kernel takes 64 KiB, then every write waits in the destination.
const reader = spawn('sleep', ['30'], { stdio: ['pipe', 'ignore', 'ignore'] });
afterAll(() => reader.kill());

it('keeps at most its bound of unwritten lines and counts the lines it drops', async () => {
  const fd = (reader.stdin as unknown as { _handle: { fd: number } })._handle.fd;
  const bound = 256 * 1024;
  const dest = bufferedDestination(fd, bound);
  const before = droppedLogLines.lines;
  const line = `${JSON.stringify({ level: 30, msg: 'graphql request', pad: 'x'.repeat(300) })}\n`;
  for (let i = 0; i < 5_000; i++) dest.write(line);
  await new Promise((r) => setTimeout(r, 200));
  const waiting = (dest as unknown as { _len: number })._len;
  expect(waiting).toBeLessThanOrEqual(bound);
  // 5,000 lines of ~350 bytes (1.7 MB): what the pipe and the bound could not hold was dropped, and counted.
  expect(droppedLogLines.lines - before).toBeGreaterThan(5_000 - (bound + 256 * 1024) / line.length);
});

it('/metrics reports the dropped lines', async () => {
  const { FacadeMetrics } = await import('../../src/observability/metrics.js');
  const text = await new FacadeMetrics(false, false).registry.metrics();
  expect(text).toMatch(new RegExp(`^log_lines_dropped_total ${droppedLogLines.lines}$`, 'm'));
});
