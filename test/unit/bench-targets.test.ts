// The bench's targets table (bench/targets.ts): every cold row is held to the cold CPU target, and a miss is a
// NOT MET line of the table, not only a number in the row's notes.
import { describe, expect, it } from 'vitest';
import { targetsSection } from '../../bench/targets.js';
import type { Row } from '../../bench/report.js';

const cold = (what: string, cpuRatio: number): Row => ({
  scenario: `cold: new token per request, cinder ${what}, d=20, closed loop`,
  detail: { cpuRatio, trips: [2], discardedShare: 0 },
});

describe('targetsSection, cold rows', () => {
  const rows = [
    cold('N=10, same page (1005 groups, 12 more snapshots on every 10th)', 1.2),
    cold('N=100, same page (1005 groups, 12 more snapshots on every 10th)', 1.06),
    cold('N=10, same page (50 groups)', 1.52),
  ];
  const lines = targetsSection(rows).rows;
  const cpuLines = lines.filter((l) => l[0]!.includes('CPU ≤ 1.5× warm'));

  it('gives each cold row its CPU verdict, a miss as NOT MET', () => {
    expect(cpuLines).toContainEqual(['cold N=100, same page (1005 groups): CPU ≤ 1.5× warm', '1.06×', 'met']);
    expect(cpuLines).toContainEqual(['cold N=10, same page (50 groups): CPU ≤ 1.5× warm', '1.52×', 'NOT MET']);
  });

  it('does not repeat the target the issue names (N = 10 of 1005 groups, same page)', () => {
    expect(cpuLines.filter((l) => l[0]!.includes('1005 groups') && /N=10\b/.test(l[0]!))).toEqual([
      ['cold caller, N=10 of 1005 groups: CPU ≤ 1.5× warm', '1.20×', 'met'],
    ]);
  });
});
