// `npm start` as a child process (`node --import tsx src/main.ts`), for tests of start-up and shutdown.
import { spawn } from 'node:child_process';
import { request } from 'undici';
import { expect } from 'vitest';

export interface MainProcess {
  child: ReturnType<typeof spawn>;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

/** Starts the facade under NODE_ENV=production with no upstream configured unless `env` says so. */
export function runMain(env: Record<string, string>): MainProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, CINDER_URL: '', MANILA_URL: '', SDRS_URL: '', KEYSTONE_URL: '', SIMULATE: '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, out: () => out, err: () => err };
}

/** Until /healthz answers (log lines may be buffered; the port is the truth); fails if the process exits first. */
export async function untilHealthy(p: MainProcess, port: number): Promise<void> {
  for (let i = 0; ; i++) {
    const up = await request(`http://127.0.0.1:${port}/healthz`).then(
      async (res) => (await res.body.text(), res.statusCode === 200),
      () => false,
    );
    if (up) return;
    expect(p.child.exitCode, `facade exited: ${p.err()}`).toBeNull();
    expect(i, `facade did not start: ${p.err()}`).toBeLessThan(300);
    await new Promise((r) => setTimeout(r, 100));
  }
}
