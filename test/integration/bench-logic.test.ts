// `npm run bench:logic` answered every screen with a 400 for a day (a guard refused its request context) and still
// printed figures. This runs it for a moment: it must replay the screen's upstream answers and print all three rows.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run bench:logic', () => {
  it('replays the canonical screen whole on every executor it reports', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/logic.ts'], {
      env: { ...process.env, BENCH_LOGIC_SECONDS: '0.2', BENCH_LOGIC_ROUNDS: '1', LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    const replayed = Number(/(\d+) upstream answers replayed/.exec(stdout)?.[1]);
    expect(replayed).toBeGreaterThanOrEqual(5);
    for (const row of ['compiled', 'interpreted', 'in Apollo']) {
      expect(stdout).toMatch(new RegExp(`${row} +median \\d+\\.\\d{3} CPU ms per screen`));
    }
  }, 90_000);
});
