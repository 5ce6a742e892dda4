import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { Logger } from './logger.js';

/** One line per kind of message this often at most: an unreachable collector fails every batch, every few seconds. */
const QUIET_MS = 10_000;
/** Kinds remembered at most; OpenTelemetry's messages are fixed texts, so this is only a bound. */
const MAX_KINDS = 100;

const ignore = () => {};

/**
 * OpenTelemetry's own warnings and errors (a failed span export above all, which it reports nowhere else) as lines
 * of the facade's log: `opentelemetry: <message>` with the reason, each kind at most once per 10 s, the next one
 * saying how many were held back meanwhile.
 */
export class OtelDiagLog implements DiagLogger {
  private readonly kinds = new Map<string, { at: number; held: number }>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  error = (message: string, ...args: unknown[]): void => this.write('error', message, args);
  warn = (message: string, ...args: unknown[]): void => this.write('warn', message, args);
  info = ignore;
  debug = ignore;
  verbose = ignore;

  private write(level: 'error' | 'warn', message: string, args: unknown[]): void {
    const kind = String(message).slice(0, 200);
    const t = this.now();
    const seen = this.kinds.get(kind);
    if (seen && t - seen.at < QUIET_MS) {
      seen.held++;
      return;
    }
    if (!seen && this.kinds.size >= MAX_KINDS) this.kinds.clear();
    this.kinds.set(kind, { at: t, held: 0 });
    this.log[level]({ reason: reasonOf(args), suppressed: seen?.held || undefined }, `opentelemetry: ${kind}`);
  }
}

/** The first argument that says why, as one short line (never a stack). */
function reasonOf(args: unknown[]): string | undefined {
  for (const a of args) {
    if (a instanceof Error) return a.message.slice(0, 300);
    if (typeof a === 'string') return a.slice(0, 300);
  }
  return undefined;
}

let registered: OtelDiagLog | null = null;

/**
 * Registers the facade's log as OpenTelemetry's (process-wide) diag logger at warn; the returned function removes
 * it again unless a later facade in the same process has registered its own since.
 */
export function registerOtelDiagLog(log: Logger): () => void {
  const mine = new OtelDiagLog(log);
  diag.setLogger(mine, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  registered = mine;
  return () => {
    if (registered !== mine) return;
    registered = null;
    diag.disable();
  };
}
