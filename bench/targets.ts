// The issue 19 targets, each with the value this run measured and whether it was met: printed under the table,
// so a run's closing note can quote them as they are.
import { fmt, type Row, type Section } from './report.js';
import { COLD_CPU_TARGET } from './scenarios/cold.js';
import { signed } from './scenarios/load.js';

interface Measured {
  load: { requests: number; p99: number };
}

const find = (rows: Row[], prefix: string, includes = '') => rows.find((r) => r.scenario.startsWith(prefix) && r.scenario.includes(includes));

function line(target: string, value: string, met: boolean | undefined): string[] {
  return [target, value, met === undefined ? 'not run' : met ? 'met' : 'NOT MET'];
}

function coldLines(rows: Row[]): string[][] {
  const out: string[][] = [];
  const large = find(rows, 'cold:', 'N=10, same page (1005');
  if (large) {
    const d = large.detail as { cpuRatio: number; trips: number[] };
    out.push(line(`cold caller, N=10 of 1005 groups: CPU ≤ ${COLD_CPU_TARGET}× warm`, `${fmt(d.cpuRatio, 2)}×`, d.cpuRatio <= COLD_CPU_TARGET));
    out.push(line('cold caller, N=10 of 1005 groups: ≤ 2 round trips', `${Math.max(...d.trips)}`, Math.max(...d.trips) <= 2));
  }
  for (const [n, most] of [[100, 2], [1000, 3]] as const) {
    for (const who of ['warm:', 'cold:']) {
      const r = find(rows, who, `N=${n}, same page`);
      const trips = r ? Math.max(...(r.detail as { trips: number[] }).trips) : undefined;
      out.push(line(`${who.slice(0, -1)} N=${n}: ≤ ${most} round trips`, trips === undefined ? '' : `${trips}`, trips === undefined ? undefined : trips <= most));
    }
  }
  for (const r of rows.filter((x) => x.scenario.startsWith('cold:'))) {
    const share = (r.detail as { discardedShare: number }).discardedShare;
    const what = r.scenario.replace(/^cold: new token per request, cinder /, '').replace(/, d=.*$/, '').replace(/ \((\d+ groups)[^)]*\)/, ' ($1)');
    // A run with a setting beside the defaults (a wider lane) shows its own round trips; the verdicts above are the defaults'.
    if (what.includes('UPSTREAM_')) {
      const trips = Math.max(...(r.detail as { trips: number[] }).trips);
      out.push(line(`cold ${what}: ≤ 2 round trips`, `${trips}`, trips <= 2));
    }
    out.push(line(`cold ${what}: speculative bytes discarded < 10 %`, `${fmt(100 * share, 1)} %`, share < 0.1));
    // The issue names the CPU target for N = 10 of 1005 groups (above); every other cold row is held to it too, so
    // that a miss there is a line of this table rather than a number in a row's notes.
    const ratio = (r.detail as { cpuRatio?: number }).cpuRatio;
    if (ratio !== undefined && r !== large) out.push(line(`cold ${what}: CPU ≤ ${COLD_CPU_TARGET}× warm`, `${fmt(ratio, 2)}×`, ratio <= COLD_CPU_TARGET));
  }
  return out;
}

export function targetsSection(rows: Row[]): Section {
  const lines: string[][] = [];
  const facade = find(rows, 'cpu: facade,');
  const baseline = find(rows, 'cpu: hand-written baseline on undici dispatch()');
  if (facade && baseline) {
    // Paired windows (both loaded at once) decide; the alternating windows' ratio is shown beside it.
    const d = facade.detail as { paired: { ratio: number }; alternatingRatio: number };
    const alternating = `alternating ${fmt(d.alternatingRatio, 2)}×`;
    lines.push(line('CPU ≤ 1.5× the dispatch() baseline, canonical screen (paired windows)', `${fmt(d.paired.ratio, 2)}× (${alternating})`, d.paired.ratio <= 1.5));
  } else lines.push(line('CPU ≤ 1.5× the dispatch() baseline, canonical screen', '', undefined));
  const rt = find(rows, 'round trips: cinder');
  if (rt) {
    const d = rt.detail as { runs: Measured[]; floor: number };
    const over = d.runs.map((m) => m.load.p99 - d.floor);
    const value = over.map(signed).join(' / ');
    lines.push(line(`p99 at 200 req/s ≤ floor + 8 ms in ${d.runs.length} of ${d.runs.length} runs`, `${value} ms`, over.every((v) => v <= 8)));
  } else lines.push(line('p99 at 200 req/s ≤ floor + 8 ms', '', undefined));
  lines.push(...coldLines(rows));
  return { title: 'Issue 19 targets in this run', head: ['target', 'measured', 'verdict'], rows: lines, lines: [] };
}
