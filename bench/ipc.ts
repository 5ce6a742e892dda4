// Request/response over the Node IPC channel between the bench runner and its child processes. Children serve
// a handful of named operations (CPU counters, memory, call logs); nothing here is part of the product.
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type Handlers = Record<string, (arg: unknown) => unknown>;

interface Ask {
  id: number;
  op: string;
  arg: unknown;
}

interface Answer {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Child side: answers every `{id, op, arg}` with the handler's result; tells the parent when it is ready. */
export function serveIpc(handlers: Handlers, ready: unknown): void {
  if (!process.send) throw new Error('bench child started without an IPC channel');
  process.on('message', (msg: Ask) => {
    void (async () => {
      const handler = handlers[msg.op];
      let answer: Answer;
      try {
        if (!handler) throw new Error(`unknown op ${msg.op}`);
        answer = { id: msg.id, ok: true, value: await handler(msg.arg) };
      } catch (err) {
        answer = { id: msg.id, ok: false, error: (err as Error).stack ?? String(err) };
      }
      process.send?.(answer);
    })();
  });
  process.send({ id: 0, ok: true, value: ready } satisfies Answer);
}

/** CPU time this process has used, in microseconds (user + system, every thread). */
export function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /**
   * The child's stdout: the terminal (default), or discarded: a facade writes a JSON log line per request, which
   * a deployment pipes to its collector and the bench's table has no room for.
   */
  stdout?: 'inherit' | 'ignore';
}

/**
 * The compiled twin of a bench entry (`npm run build` writes dist/bench/…/x.js for bench/…/x.ts; the path below dist/ is the same as below the root), or null. Children
 * run compiled, as a deployment would (`npm run start:prod`): tsx's loader thread alone adds ~35 MB of RSS and
 * some CPU. BENCH_FROM_SOURCE=1 runs them through tsx instead.
 */
export function compiledEntry(entry: URL): URL | null {
  if (process.env.BENCH_FROM_SOURCE === '1') return null;
  // Already compiled (BENCH_AB_FACADE: another checkout's build).
  if (entry.href.endsWith('.js')) return entry;
  const root = new URL('../', import.meta.url);
  const rel = entry.href.slice(root.href.length).replace(/\.ts$/, '.js');
  const out = new URL(`dist/${rel}`, root);
  return entry.href.startsWith(root.href) && existsSync(out) ? out : null;
}

/** Parent side: one forked child (compiled when built, else through tsx's loader) and a typed way to call it. */
export class BenchChild<Ready = unknown> {
  private readonly proc: ChildProcess;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<Ready>;

  constructor(
    readonly name: string,
    entry: URL,
    opts: ChildOptions = {},
  ) {
    const compiled = compiledEntry(entry);
    this.proc = fork(fileURLToPath(compiled ?? entry), [], {
      execArgv: [...(compiled ? [] : ['--import', 'tsx']), ...(opts.nodeFlags ?? [])],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', opts.stdout ?? 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise<Ready>((resolve, reject) => {
      this.pending.set(0, { resolve: resolve as (v: unknown) => void, reject });
    });
    this.proc.on('message', (msg: Answer) => {
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.value);
      else waiter.reject(new Error(`${this.name}: ${msg.error}`));
    });
    this.proc.on('exit', (code, signal) => {
      for (const w of this.pending.values()) w.reject(new Error(`${this.name} exited (${code ?? signal}) before answering`));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  call<T = unknown>(op: string, arg?: unknown): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, arg } satisfies Ask);
    });
  }

  /** Asks the child to exit cleanly (so --cpu-prof can write its profile); kills it if it does not. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.call('exit').catch(() => undefined);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
