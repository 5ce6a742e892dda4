// `npm run bench` (issue 5): upstream calls, round trips, CPU and memory of the facade, each against its floor
// or baseline. Simulators, facade and hand-written baseline each run in their own process (so CPU is per
// process); this process only generates load. BENCH_QUICK=1: under a minute. BENCH_STEADY_MINUTES=10: soak.
// BENCH_PROFILE=1: the load-phase facade and the hand-written baseline write V8 CPU profiles under
// bench/results/profiles/{facade,baseline}, so the two can be compared function by function.
// BENCH_ONLY=cpu,roundtrips,...: only those scenarios (calls, roundtrips, cpu, waterfall, steady, overload, federation), to
// compare one change quickly; the table then says which scenarios ran. BENCH_CPU_AA=1: the baseline process is a
// second facade, an A/A check of the CPU ratio's windows; with BENCH_AB_FACADE=<another checkout>/dist/bench/procs/
// facade.js (built there) that second facade is another version, an A/B of a change. `observability` (issue 17): CPU per request
// with logs, metrics and traces (exported to a local OTLP receiver) on against all off, as a ratio (target ≤ 1.10).
// `overload` (issue 18): closed-loop clients that retry at once, doubling until goodput stops rising, then
// 2×/4×/8× that; its curve prints after the table. `cold` (issue 19): a new token per request, random pages,
// sorts and name filters, on a 1005-group project with a snapshot history, each case beside one warm caller:
// CPU cold ÷ warm, calls, round trips alone, bytes read and discarded per screen (bench/procs/bytes.ts).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { BenchChild } from './ipc.js';
import { closeClient, gql } from './client.js';
import { planFromEnv } from './plan.js';
import { CINDER_LINKS, CINDER_SCREEN, MANILA_LINKS, MANILA_SCREEN } from './queries.js';
import { type Row, type Section, consoleTable, fmt, sectionText, writeResults } from './report.js';
import { type ScreenSpec, callsScenario } from './scenarios/calls.js';
import { type LoopDelay, cpuScenario, roundTripScenario } from './scenarios/load.js';
import { observabilityScenario } from './scenarios/observability.js';
import { overloadRow, overloadScenario, overloadSection } from './scenarios/overload.js';
import { federationScenario } from './scenarios/federation.js';
import { steadyScenario } from './scenarios/steady.js';
import { type ColdCase, coldScenario } from './scenarios/cold.js';
import { harvestCursors } from './varied.js';
import { targetsSection } from './targets.js';
import { closeDriver } from './drive.js';
import { waterfallScenario } from './scenarios/waterfall.js';
import type { DatasetSpec } from './procs/simulators.js';

const started = performance.now();
const loadAtStart = loadavg()[0]!;
const startedAt = new Date().toISOString();
const plan = planFromEnv(process.env);
const root = new URL('../', import.meta.url);
const notes: string[] = [];
const log = (msg: string) => console.error(`[bench ${fmt((performance.now() - started) / 1000)} s] ${msg}`);

// Share groups join once the Manila facade exists; until then the bench says so and carries on.
const manilaPresent = ['src/upstreams/manila/client.ts', 'schema/file-storage.graphql'].every((p) => existsSync(new URL(p, root)));

const only = new Set((process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean));
const runs = (scenario: string) => only.size === 0 || only.has(scenario);
const datasets: Record<string, DatasetSpec> = {
  cinderLarge: { service: 'cinder', extra: plan.largeExtra },
  cinderScreen: { service: 'cinder', extra: plan.screenExtra },
  ...(manilaPresent ? { manilaLarge: { service: 'manila', extra: plan.largeExtra } } : {}),
  // The cold and varied scenario's large project: a history of group snapshots on some groups (issue 19).
  ...(runs('cold') ? { cinderVaried: { service: 'cinder', extra: plan.largeExtra, moreSnapshots: { every: 10, count: 12 } } } : {}),
};
const large = `${plan.largeExtra + 5} groups`;
const screen = `${plan.screenExtra + 5} groups`;
const cinderLarge: ScreenSpec = { label: 'cinder groups', query: CINDER_SCREEN, field: 'groups', links: CINDER_LINKS, sim: 'cinderLarge', dataset: large };
const cinderScreen: ScreenSpec = { ...cinderLarge, sim: 'cinderScreen', dataset: screen };
const manilaLarge: ScreenSpec = {
  label: 'manila share groups',
  query: MANILA_SCREEN,
  field: 'shareGroups',
  links: MANILA_LINKS,
  sim: 'manilaLarge',
  dataset: `+${plan.largeExtra} share groups`,
};

// Children run compiled, as `npm run start:prod` would; build once here (BENCH_FROM_SOURCE=1 skips it).
if (process.env.BENCH_FROM_SOURCE !== '1') {
  log('building (tsc -p tsconfig.build.json)');
  execFileSync(process.execPath, [new URL('node_modules/typescript/bin/tsc', root).pathname, '-p', 'tsconfig.build.json'], {
    cwd: root.pathname,
    stdio: 'inherit',
  });
  notes.push('facade, simulators and baseline ran compiled (npm run build); BENCH_FROM_SOURCE=1 runs them through tsx');
}

const children: BenchChild[] = [];
function child<R>(name: string, entry: string, env: Record<string, string>, nodeFlags: string[] = []): BenchChild<R> {
  // A facade's stdout is its log, a JSON line per request (LOG_LEVEL=info, the default): written, not shown.
  const stdout = entry.endsWith('procs/facade.ts') || entry.endsWith('procs/facade.js') ? 'ignore' : 'inherit';
  const c = new BenchChild<R>(name, new URL(entry, import.meta.url), { env, nodeFlags, stdout });
  children.push(c);
  return c;
}
/** Facade env: REAL mode against the simulator process, nothing simulated in-process, default protections. */
// No compression: the load clients ask for none, and behind the router (scenario 9) docs/deploy.md says to turn it off.
const facadeEnv = (cinder: string, manila = '') => ({ CINDER_URL: cinder, MANILA_URL: manila, SDRS_URL: '', SIMULATE: '', NODE_ENV: 'production', RESPONSE_COMPRESSION: 'false' });

const rows: Row[] = [];
const sections: Section[] = [];
if (only.size) notes.push(`only these scenarios ran (BENCH_ONLY): ${[...only].join(', ')}`);
if (plan.facadeNodeFlags.length) notes.push(`facade node flags: ${plan.facadeNodeFlags.join(' ')}`);
try {
  log(`mode ${plan.mode}; starting simulators`);
  const sims = child<{ endpoints: Record<string, string>; failed: Record<string, string> }>('simulators', './procs/simulators.ts', {
    BENCH_DATASETS: JSON.stringify(datasets),
  });
  const { endpoints, failed } = await sims.ready;
  for (const [name, why] of Object.entries(failed)) notes.push(`simulator ${name} did not start: ${why}`);

  // ---- 1. calls per query on the large datasets
  if (runs('calls')) {
    const callsFacade = child<{ url: string }>('facade (calls)', './procs/facade.ts', facadeEnv(endpoints.cinderLarge!, endpoints.manilaLarge));
    const callsUrl = (await callsFacade.ready).url;
    await gql(callsUrl, CINDER_SCREEN, 1); // version discovery happens once per process
    log('scenario 1: calls per query (cinder)');
    rows.push(...(await callsScenario(sims, callsUrl, cinderLarge, plan.sizes, plan)));

    let manilaOk = false;
    if (endpoints.manilaLarge) {
      try {
        await gql(callsUrl, MANILA_SCREEN, 1);
        manilaOk = true;
      } catch (err) {
        notes.push(`manila scenario skipped: not available (${(err as Error).message.split('\n')[0]})`);
      }
    } else {
      notes.push('manila scenario skipped: not available (no src/upstreams/manila or schema/file-storage.graphql)');
    }
    if (manilaOk) {
      log('scenario 1: calls per query (manila)');
      rows.push(...(await callsScenario(sims, callsUrl, manilaLarge, plan.sizes, plan)));
    } else {
      console.error(notes[notes.length - 1]);
    }
    await callsFacade.stop();
  }

  // ---- 2-5. load phases on one facade over the screen-sized dataset
  const profile = (who: string) =>
    process.env.BENCH_PROFILE === '1' ? ['--cpu-prof', `--cpu-prof-dir=${new URL(`bench/results/profiles/${who}`, root).pathname}`] : [];
  const facade = child<{ url: string }>('facade', './procs/facade.ts', facadeEnv(endpoints.cinderScreen!), [...plan.facadeNodeFlags, ...profile('facade')]);
  // The hand-written composition on the facade's HTTP path (dispatch()) and node flags (issue 19: bench parity).
  // BENCH_CPU_AA=1: a second facade in its place, an A/A run of the CPU ratio (what the windows alone do to it).
  const aa = process.env.BENCH_CPU_AA === '1';
  if (aa) notes.push('BENCH_CPU_AA=1: the "hand-written baseline on dispatch()" rows are a second facade (an A/A run)');
  const other = process.env.BENCH_AB_FACADE;
  if (aa && other) notes.push(`BENCH_AB_FACADE: the second facade is ${other}`);
  const baselineEntry = aa ? (other ? pathToFileURL(other).href : './procs/facade.ts') : './procs/baseline.ts';
  const baselineEnv = aa ? facadeEnv(endpoints.cinderScreen!) : { CINDER_URL: endpoints.cinderScreen! };
  const baseline = child<{ url: string }>('baseline', baselineEntry, baselineEnv, [
    ...plan.facadeNodeFlags,
    ...profile('baseline'),
  ]);
  const facadeUrl = (await facade.ready).url;
  const baselineUrl = (await baseline.ready).url;
  const fromFacade = await gql(facadeUrl, CINDER_SCREEN, plan.screenN);
  const fromBaseline = await gql(baselineUrl, CINDER_SCREEN, plan.screenN);
  const fromBaselineAhead = await gql(baselineUrl, CINDER_SCREEN, plan.screenN, { 'x-bench-plan': 'ahead' });
  for (const answer of [fromBaseline, fromBaselineAhead]) {
    if (JSON.stringify(fromFacade.value) !== JSON.stringify(answer.value)) {
      throw new Error('the hand-written baseline does not answer the same data as the facade');
    }
  }
  rows.push(...(await callsScenario(sims, facadeUrl, cinderScreen, [plan.screenN], plan)));
  const rssBefore = (await facade.call<{ rss: number }>('memory')).rss;

  const loops: LoopDelay[] = [];
  if (runs('roundtrips')) {
    log(`scenario 2: round trips at ${plan.rate} req/s, d=${plan.delayMs} ms`);
    const ahead = { child: baseline, url: baselineUrl, label: 'hand-written baseline (dispatch(), read-ahead plan)' };
    const rt = await roundTripScenario(facade, sims, facadeUrl, cinderScreen, plan, ahead);
    rows.push(...rt.rows);
    loops.push(rt.loop);
  }
  if (runs('cpu')) {
    log('scenario 3: CPU, facade vs hand-written baseline (and vs itself on graphql-js only)');
    // The same facade with query compilation off: the before of the largest CPU optimisation, in the same windows.
    const interpreted = child<{ url: string }>(
      'facade (graphql-js)',
      './procs/facade.ts',
      { ...facadeEnv(endpoints.cinderScreen!), GRAPHQL_COMPILE_AFTER: 'off' },
      plan.facadeNodeFlags,
    );
    const before = { child: interpreted, url: (await interpreted.ready).url, label: 'facade on graphql-js only (GRAPHQL_COMPILE_AFTER=off)' };
    // The composition as most hand-written code is: undici request() and body.text(); the yardstick until issue 19.
    const viaRequest = child<{ url: string }>('baseline (request)', './procs/baseline.ts', { CINDER_URL: endpoints.cinderScreen!, BASELINE_HTTP: 'request' }, plan.facadeNodeFlags);
    const requestBaseline = { child: viaRequest, url: (await viaRequest.ready).url, label: 'hand-written baseline on undici request() + body.text()' };
    const variants = [requestBaseline, before];
    const cpu = await cpuScenario(facade, baseline, sims, { facade: facadeUrl, baseline: baselineUrl }, cinderScreen, plan, variants);
    await Promise.all([interpreted.stop(), viaRequest.stop()]);
    rows.push(...cpu.rows);
    loops.push(cpu.loop);
  }
  if (runs('observability')) {
    log('scenario 7: CPU with logs, metrics and traces on vs all off');
    const spawn = (name: string, env: Record<string, string>) =>
      child<{ url: string }>(name, './procs/facade.ts', env, [...plan.facadeNodeFlags, ...profile(name.includes('all off') ? 'observability-off' : 'observability-on')]);
    rows.push(await observabilityScenario(spawn, sims, facadeEnv(endpoints.cinderScreen!), cinderScreen, plan));
  }
  if (runs('waterfall')) {
    log('scenario 4: browser waterfall vs one GraphQL request');
    rows.push(...(await waterfallScenario(sims, endpoints.cinderScreen!, facadeUrl, CINDER_SCREEN, screen, plan)));
  }
  if (runs('steady')) {
    log('scenario 5: steady');
    rows.push(...(await steadyScenario(facade, sims, facadeUrl, cinderScreen, plan, rssBefore, loops)));
  }
  if (runs('cold')) {
    log('scenario 8: cold and varied callers (a new token per request, random pages), warm beside them');
    const coldFacade = child<{ url: string }>('facade (cold)', './procs/facade.ts', facadeEnv(endpoints.cinderVaried!), plan.facadeNodeFlags);
    const coldUrl = (await coldFacade.ready).url;
    const dataset = `${plan.largeExtra + 5} groups, 12 more snapshots on every 10th`;
    const largeProject = { child: coldFacade, url: coldUrl, sim: 'cinderVaried', dataset, groups: plan.largeExtra, cursors: await harvestCursors(coldUrl) };
    const largeCases: ColdCase[] = [
      { n: plan.screenN, mix: 'same page' },
      { n: plan.screenN, mix: 'random pages' },
      { n: 100, mix: 'same page' },
      { n: 1000, mix: 'same page' },
    ];
    rows.push(...(await coldScenario(largeProject, sims, largeCases, plan, log)));
    await coldFacade.stop();
    // N = 100 again with a lane wide enough for one filtered snapshot listing per group (docs/limits.md).
    const setting = 'UPSTREAM_MAX_CONNECTIONS=128';
    const wideFacade = child<{ url: string }>('facade (cold, 128 connections)', './procs/facade.ts', { ...facadeEnv(endpoints.cinderVaried!), UPSTREAM_MAX_CONNECTIONS: '128' }, plan.facadeNodeFlags);
    const wideProject = { ...largeProject, child: wideFacade, url: (await wideFacade.ready).url, setting };
    rows.push(...(await coldScenario(wideProject, sims, [{ n: 100, mix: 'same page' }], plan, log)));
    await wideFacade.stop();
    const screenProject = { child: facade, url: facadeUrl, sim: 'cinderScreen', dataset: screen, groups: plan.screenExtra, cursors: [] };
    rows.push(...(await coldScenario(screenProject, sims, [{ n: plan.screenN, mix: 'same page', rate: plan.rate }], plan, log)));
  }
  if (runs('federation')) {
    log('scenario 9: the screen through a router (Hive Gateway) vs direct; _entities calls at 1/10/100 representations');
    const large = child<{ url: string }>('facade (federation)', './procs/facade.ts', facadeEnv(endpoints.cinderLarge!), plan.facadeNodeFlags);
    rows.push(...(await federationScenario(facade, sims, facadeUrl, (await large.ready).url, cinderScreen, plan)));
    await large.stop();
  }
  if (runs('overload')) {
    // A facade of its own at its default limits, so the overload leaves no trace in the other phases' figures.
    log(`scenario 6: overload, clients retrying at once, d=${plan.delayMs} ms`);
    const overloaded = child<{ url: string }>('facade (overload)', './procs/facade.ts', facadeEnv(endpoints.cinderScreen!), plan.facadeNodeFlags);
    const overloadUrl = (await overloaded.ready).url;
    await gql(overloadUrl, CINDER_SCREEN, plan.screenN);
    const result = await overloadScenario(overloaded, sims, overloadUrl, cinderScreen, plan, log);
    await overloaded.stop();
    rows.push(overloadRow(result, cinderScreen, plan));
    sections.push(overloadSection(result, cinderScreen, plan));
  }
} finally {
  await Promise.all(children.map((c) => c.stop()));
  await Promise.all([closeClient(), closeDriver()]);
}

sections.unshift(targetsSection(rows));
const seconds = (performance.now() - started) / 1000;
// Latency columns feel every other process on the machine; CPU per request is read per process and holds up better.
notes.push(`1-min load average ${fmt(loadAtStart, 2)} at start, ${fmt(loadavg()[0]!, 2)} at end on ${cpus().length} CPUs`);
console.log(consoleTable(rows));
for (const n of notes) console.log(`note: ${n}`);
for (const s of sections) console.log(`\n${sectionText(s)}`);
const cpu = cpus()[0];
const out = writeResults(
  new URL('bench/results/', root),
  {
    startedAt,
    mode: plan.mode,
    seconds,
    node: process.versions.node,
    cpus: cpus().length,
    cpuModel: cpu?.model.trim() ?? 'unknown',
    notes,
    sections,
  },
  rows,
);
console.log(`\nrun took ${fmt(seconds)} s; wrote ${out.json} and ${out.md}`);
