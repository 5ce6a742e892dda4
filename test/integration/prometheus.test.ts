// Issue 17: a real Prometheus (Debian's `prometheus` package; .ci/run installs it) scrapes the facade every second
// and its HTTP API then answers upstream_requests_total with the facade's series.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';

function prometheusBinary(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const binary = prometheusBinary();
if (!binary) console.warn('prometheus.test.ts skipped: no prometheus binary on PATH (apt-get install -y prometheus; .ci/run installs it)');

describe.skipIf(!binary)('Prometheus scrapes the facade', () => {
  let f: Facade | undefined;
  let prom: ChildProcess | undefined;
  let dir: string | undefined;
  let promLog = '';
  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await f?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('upstream_requests_total shows in its query API after a scrape', async () => {
    f = await startFacade({ SIMULATE: 'cinder,manila,sdrs' });
    await f.ok('{ groups(first: 2) { nodes { name volumes { name } } } }');
    const target = new URL(f.app.server.url).host;
    dir = mkdtempSync(join(tmpdir(), 'gg-prometheus-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: groupgraph',
        '    metrics_path: /metrics',
        '    static_configs:',
        `      - targets: ['${target}']`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    prom = spawn(
      binary!,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout!.on('data', (c: Buffer) => (promLog += c.toString()));
    prom.stderr!.on('data', (c: Buffer) => (promLog += c.toString()));
    type Answer = { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    const query = async (): Promise<Answer | null> => {
      try {
        const res = await request(`http://127.0.0.1:${port}/api/v1/query?query=upstream_requests_total`);
        return res.statusCode === 200 ? ((await res.body.json()) as Answer) : (await res.body.text(), null);
      } catch {
        return null; // not listening yet
      }
    };
    const answer = await waitFor(query, (a) => (a?.data.result.length ?? 0) > 0, 30_000, 250);
    expect(answer?.status, promLog).toBe('success');
    const series = answer!.data.result.map((r) => r.metric);
    expect(series).toContainEqual(
      expect.objectContaining({ __name__: 'upstream_requests_total', job: 'groupgraph', service: 'cinder', method: 'GET', route: '/groups/detail', status: '200' }),
    );
    // Route labels are templates: never an id, never the endpoint's project.
    for (const s of series) expect(s.route).not.toMatch(/[0-9a-f]{8}-|[0-9a-f]{32}/);
  }, 60_000);
});
