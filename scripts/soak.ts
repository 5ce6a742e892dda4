// npm run soak: a mixed GraphQL load against the facade (its own process, REAL mode against the simulators)
// for SOAK_MINUTES (default 10), with faults switched on and off every phase. Reports, per phase, requests,
// the share answered with errors, the facade's RSS and open file descriptors; fails if memory or descriptors
// grow or if errors do not go back to zero once the faults stop.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { request } from 'undici';
import { startCinderSimulator } from '../src/simulator/cinder/index.js';
import { startManilaSimulator } from '../src/simulator/manila/index.js';
import type { Chaos, RunningSimulator } from '../src/simulator/server.js';
import { startSdrsSimulator } from '../src/simulator/sdrs/index.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);
const PORT = Number(process.env.SOAK_PORT ?? 4777);
const RATE = Number(process.env.SOAK_RATE ?? 150);

const PHASES: { name: string; faults: Partial<Record<'cinder' | 'manila' | 'sdrs', Chaos>> }[] = [
  { name: 'healthy', faults: {} },
  { name: 'cinder 50% 5xx', faults: { cinder: { errorRate: 0.5 } } },
  { name: 'healthy', faults: {} },
  { name: 'sdrs +2s, manila resets', faults: { sdrs: { extraLatencyMs: 2_000 }, manila: { resetRate: 0.3 } } },
  { name: 'healthy', faults: {} },
  { name: 'all garbage bodies', faults: { cinder: { garbageRate: 0.5 }, manila: { garbageRate: 0.5 }, sdrs: { garbageRate: 0.5 } } },
  { name: 'healthy', faults: {} },
];

const QUERIES = [
  '{ groups(first: 10) { nodes { id name status groupType { name } volumes { id size } snapshots(first: 3) { nodes { id } } } } }',
  '{ protectionGroups(first: 10) { totalCount nodes { id name status } } }',
  '{ shareGroups(first: 10) { nodes { id name status shares { id } } } }',
  '{ groups(first: 5) { nodes { id } } protectionGroups(first: 5) { nodes { id } } shareGroups(first: 5) { nodes { id } } }',
];

function procStats(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(rssKb / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function main() {
  const sims: Record<'cinder' | 'manila' | 'sdrs', RunningSimulator & { endpoint: string }> = {
    cinder: await startCinderSimulator({ extraGroups: 40 }),
    manila: await startManilaSimulator({ extraShareGroups: 40 }),
    sdrs: await startSdrsSimulator({ extraGroups: 40 }),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      CINDER_URL: sims.cinder.endpoint,
      MANILA_URL: sims.manila.endpoint,
      SDRS_URL: sims.sdrs.endpoint,
      REQUEST_DEADLINE_MS: '3000',
      UPSTREAM_TIMEOUT_MS: '2500',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${PORT}`;
  for (let i = 0; ; i++) {
    try {
      const res = await request(`${url}/healthz`);
      await res.body.text();
      if (res.statusCode === 200) break;
    } catch {
      if (i > 100) throw new Error('facade did not start');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const phaseSeconds = Math.max(10, Math.round((minutes * 60) / PHASES.length));
  console.log(`soak: ${minutes} min, ${PHASES.length} phases of ${phaseSeconds} s, ${RATE} req/s, facade pid ${child.pid}`);
  const rows: { phase: string; requests: number; errorShare: string; tailErrors: number; rssMb: number; fds: number }[] = [];
  const start = procStats(child.pid!);
  for (const phase of PHASES) {
    for (const [name, sim] of Object.entries(sims)) sim.setChaos(phase.faults[name as keyof typeof sims] ?? {});
    let withErrors = 0;
    let total = 0;
    // Errors in the last third of a phase: after a fault stops, the circuit breaker probes again within seconds.
    let tailErrors = 0;
    const tailFrom = Date.now() + (phaseSeconds * 2_000) / 3;
    const options: autocannon.Options = {
      url: `${url}/graphql`,
      connections: 16,
      overallRate: RATE,
      duration: phaseSeconds,
      requests: QUERIES.map((query) => ({
        method: 'POST' as const,
        path: '/graphql',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
        onResponse: (status: number, body: string) => {
          total++;
          if (status !== 200 || body.includes('"errors"')) {
            withErrors++;
            if (Date.now() > tailFrom) tailErrors++;
          }
        },
      })),
    };
    const result = await autocannon(options);
    const stats = procStats(child.pid!);
    rows.push({
      phase: phase.name,
      requests: result.requests.total,
      errorShare: total ? `${((100 * withErrors) / total).toFixed(1)} %` : '-',
      tailErrors,
      rssMb: stats.rssMb,
      fds: stats.fds,
    });
    console.log(JSON.stringify(rows[rows.length - 1]));
  }
  console.table(rows);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await Promise.all(Object.values(sims).map((s) => s.close()));

  // Compare steady states: the first healthy phase against the last one (both measured under the same load).
  const healthy = rows.filter((r) => r.phase === 'healthy');
  const first = healthy[0]!;
  const last = healthy[healthy.length - 1]!;
  const problems: string[] = [];
  console.log(`facade at start: ${start.rssMb} MB RSS, ${start.fds} fds; peak RSS ${Math.max(...rows.map((r) => r.rssMb))} MB`);
  if (last.rssMb > first.rssMb * 1.25 + 10) problems.push(`RSS grew from ${first.rssMb} to ${last.rssMb} MB`);
  if (last.fds > first.fds + 40) problems.push(`file descriptors grew from ${first.fds} to ${last.fds}`);
  for (const r of healthy.slice(1)) if (r.tailErrors > 0) problems.push(`${r.tailErrors} errors late in a healthy phase`);
  console.log(problems.length ? `soak: FAILED\n  ${problems.join('\n  ')}` : 'soak: ok (memory flat, no descriptor growth, errors back to zero after faults)');
  process.exit(problems.length ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
