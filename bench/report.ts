// The one table the bench prints, and its JSON / markdown copies.
import { mkdirSync, writeFileSync } from 'node:fs';

export interface Row {
  scenario: string;
  callsPerQuery?: number;
  p50?: number;
  p99?: number;
  rps?: number;
  /** Ratio to the physical floor (chain depth × upstream delay), with the absolute gap. */
  vsFloor?: string;
  /** Ratio to the relevant baseline: call targets, hand-written CPU, browser waterfall. */
  vsBaseline?: string;
  rssMB?: number;
  notes?: string;
  /** Raw numbers behind the row, for the JSON only. */
  detail?: Record<string, unknown>;
}

const HEAD = ['scenario', 'calls/query', 'p50 ms', 'p99 ms', 'req/s', 'vs floor', 'vs baseline', 'RSS MB', 'notes'];

export const fmt = (v: number | undefined, digits = 1): string =>
  v === undefined || Number.isNaN(v) ? '' : v.toFixed(digits).replace(/\.0+$/, '');

function cells(r: Row): string[] {
  return [
    r.scenario,
    r.callsPerQuery === undefined ? '' : fmt(r.callsPerQuery, 2),
    fmt(r.p50),
    fmt(r.p99),
    r.rps === undefined ? '' : fmt(r.rps, 0),
    r.vsFloor ?? '',
    r.vsBaseline ?? '',
    fmt(r.rssMB, 0),
    r.notes ?? '',
  ];
}

export function consoleTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map((r) => line(cells(r)))].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i === 0 || i === HEAD.length - 1 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

export interface RunInfo {
  startedAt: string;
  mode: string;
  seconds: number;
  node: string;
  cpus: number;
  cpuModel: string;
  notes: string[];
  /** Scenarios whose result is a curve rather than one row (e.g. overload): printed after the main table. */
  sections?: Section[];
}

/** A table of its own (its own columns) with lines under it, e.g. the overload curve and its verdict. */
export interface Section {
  title: string;
  head: string[];
  rows: string[][];
  lines: string[];
}

const right = (c: string) => /^[-+0-9.,×%*/ na]*$/.test(c);

export function sectionText(s: Section): string {
  const all = [s.head, ...s.rows];
  const widths = s.head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (right(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
  return [s.title, '', line(s.head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...s.rows.map(line), '', ...s.lines].join('\n');
}

export function sectionMarkdown(s: Section): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `## ${s.title}`,
    '',
    `| ${s.head.map(esc).join(' | ')} |`,
    `|${s.head.map(() => ' ---: ').join('|')}|`,
    ...s.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...s.lines.map((l) => `- ${l}`),
  ].join('\n');
}

/** Writes bench/results/<timestamp>.json (ignored by git) and bench/results/latest.md (committed). */
export function writeResults(dir: URL, info: RunInfo, rows: Row[]): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const stamp = info.startedAt.replace(/[:.]/g, '-');
  const json = new URL(`${stamp}.json`, dir);
  const md = new URL('latest.md', dir);
  writeFileSync(json, `${JSON.stringify({ ...info, rows }, null, 2)}\n`);
  writeFileSync(
    md,
    [
      `# groupgraph benchmark (${info.mode})`,
      '',
      `${info.startedAt} · Node ${info.node} · ${info.cpus} × ${info.cpuModel} · run took ${Math.round(info.seconds)} s · reproduce with \`${info.mode === 'quick' ? 'BENCH_QUICK=1 ' : ''}npm run bench\``,
      '',
      markdownTable(rows),
      '',
      ...info.notes.map((n) => `- ${n}`),
      '',
      ...(info.sections ?? []).flatMap((sec) => [sectionMarkdown(sec), '']),
    ].join('\n'),
  );
  return { json: json.pathname, md: md.pathname };
}
