import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { ObservabilityConfig } from './config.js';

export type { Logger } from 'pino';

/**
 * The facade's one logger: JSON lines on stdout (pino), or through pino-pretty with LOG_FORMAT=pretty. Tests pass
 * their own `destination` to read the lines instead of scraping stdout.
 */
export function createLogger(cfg: ObservabilityConfig['log'], destination?: DestinationStream): Logger {
  // No pino `redact`: nothing passes a token or headers to a log call (requests.ts writes named fields only, and
  // variables through redactSecrets), and redaction paths with wildcards made every line several times dearer
  // (bench: pino was 7.7 % of the facade's CPU with them).
  const options = { level: cfg.level, timestamp: isoTime };
  if (destination) return pino(options, destination);
  if (cfg.format === 'pretty') {
    // pino-pretty is a dev dependency: a production install (npm ci --omit=dev) has none, and says so.
    if (!resolvable('pino-pretty')) {
      const log = pino(options);
      log.warn('LOG_FORMAT=pretty needs the pino-pretty package (a dev dependency); logging JSON instead');
      return log;
    }
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  // Buffered (4 KiB a write instead of a syscall a line), and flushed every second so a quiet facade's lines
  // (start-up, a rare failure) are not held back; pino flushes it on exit, and main.ts before exiting.
  const stdout = bufferedDestination(1);
  setInterval(() => stdout.flush(), 1_000).unref();
  return pino(options, stdout);
}

/**
 * A file descriptor written 4 KiB at a time. At most `maxBytes` wait for one nobody reads (a stalled collector on
 * stdout): past it lines are dropped and counted (log_lines_dropped_total), where they grew the heap by about
 * 0.4 KB per request without end.
 */
export function bufferedDestination(fd: number, maxBytes = LOG_BUFFER_BYTES): ReturnType<typeof pino.destination> {
  const dest = pino.destination({ dest: fd, sync: false, minLength: 4096, maxLength: maxBytes });
  dest.on('drop', (line: string) => {
    droppedLogLines.lines += line.split('\n').length - 1 || 1;
  });
  return dest;
}

/** What the stdout log may hold unwritten before it drops lines. */
export const LOG_BUFFER_BYTES = 16 * 1024 * 1024;

/** Lines dropped because stdout did not take them (read by the metrics at scrape time). */
export const droppedLogLines = { lines: 0 };

let secondStarts = -1;
let secondPrefix = '';

/**
 * pino's `isoTime` formats a new Date for every line (12 % of what logging cost in the bench profile); this
 * formats the date and time once per second and appends the milliseconds. Same text: `,"time":"…T20:46:29.134Z"`.
 */
export function isoTime(): string {
  const now = Date.now();
  const ms = now % 1000;
  if (now - ms !== secondStarts) {
    secondStarts = now - ms;
    secondPrefix = new Date(secondStarts).toISOString().slice(0, 20);
  }
  return `,"time":"${secondPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

let fallback: Logger | undefined;

/** For code used without the facade's logger (unit tests, the bench's logic run): JSON on stdout at info. */
export function fallbackLogger(): Logger {
  return (fallback ??= pino({ timestamp: pino.stdTimeFunctions.isoTime }));
}

/**
 * Before the configuration is read there is no LOG_LEVEL or LOG_FORMAT: a refused start-up is one JSON line on
 * stderr, written synchronously so that it is out before the exit.
 */
export function startupErrorLogger(): Logger {
  return pino({ timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: true }));
}

function resolvable(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Anything named like a secret, in any casing or position of a variable's or input field's name. */
const SECRET_NAME = /token|passw|passphrase|passcode|secret|key|credential|auth|bearer|cookie|session|signature|private|certificate|hmac|connection_?string/i;

/** Lower-case compounds hiding the word `pass` or `pwd` (`adminpass`, `dbpwd`), which `bypass` must not match. */
const SECRET_COMPOUND = /(?:admin|root|user|login|master|db|new|old|app)(?:pass|pwd)/i;

/** Short secret words, matched only as a whole word of the name (`pin`, `userPin`, `pin_code`; not `shipping`). */
const SECRET_WORDS = new Set(['pass', 'pwd', 'pin', 'otp', 'jwt', 'cvv', 'cvc', 'mfa', 'dsn', 'cert']);

/** A URL with a password in it (`postgres://user:pw@host`): the password part, whatever the name. Schemes of at most 32 characters: a longer run was scanned again from each of its word boundaries (quadratic). */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s/:@]*:)[^\s/@]*@/gi;
/** A URL whose user part stands alone (`https://TOKEN@host`): often a token itself. */
const URL_USER = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/:@[\]]+@/gi;
/** A name that holds a secret, then any `_word` or `-word` (`aws_secret_access_key`; not `tokens`, `author`). */
const SECRET_KEY_NAME = /(?:passw(?:or)?d|pwd|passphrase|passcode|token|secret|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization|cookie)(?:[_-][a-z0-9]+)*$/i;
/**
 * Where a value is assigned to a name inside a string: `?password=x`, `X-Auth-Token: x`, `api_key=x`, JSON text
 * (`"password":"x y"`). The name is taken whole or not at all (a lookahead and its backreference: no backtracking
 * into it), at most 256 characters; the value is read (ASSIGNED_VALUE) only after a secret's name, and each
 * character is looked at a bounded number of times, whatever the text repeats.
 */
const ASSIGNMENT = /(?<![A-Za-z0-9_-])(?=([A-Za-z0-9_-]{1,256}))\1(["']?[ \t]*[=:][ \t]*)/g;
/** The value after it: quoted (to its closing quote, or the end), or up to a separator. */
const ASSIGNED_VALUE = /"[^"]*"?|'[^']*'?|[^\s&;,"']+/y;
/** HTTP credentials written out: `Bearer x`, `Basic <base64>` (not `basic configuration`: base64 of `user:pass` has an upper-case letter or digit). */
const BEARER = /\b(bearer\s+)[^\s&;,"']+/gi;
const BASIC = /\b([Bb]asic\s+)(?=[A-Za-z0-9+/]*[A-Z0-9+/])[A-Za-z0-9+/]{8,}={0,2}/g;

/** The values of assignments to secret names; another name's value is read on (an open quote may hide one). */
function redactAssignments(text: string): string {
  let out = '';
  let kept = 0;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) {
    if (!SECRET_KEY_NAME.test(m[1]!)) continue;
    ASSIGNED_VALUE.lastIndex = ASSIGNMENT.lastIndex;
    const value = ASSIGNED_VALUE.exec(text)?.[0];
    if (!value) continue;
    const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
    const closed = quote && value.length > 1 && value.endsWith(quote) ? quote : '';
    out += `${text.slice(kept, ASSIGNMENT.lastIndex)}${quote}[redacted]${closed}`;
    kept = ASSIGNMENT.lastIndex = ASSIGNMENT.lastIndex + value.length;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

/** Secrets inside a string value, whatever its name says. */
function redactInText(text: string): string {
  let out = text;
  if (out.includes('://')) out = out.replace(URL_PASSWORD, '$1[redacted]@').replace(URL_USER, '$1[redacted]@');
  if (/bearer|basic/i.test(out)) out = out.replace(BEARER, '$1[redacted]').replace(BASIC, '$1[redacted]');
  if (out.includes('=') || out.includes(':')) out = redactAssignments(out);
  return out;
}

function isSecretName(name: string): boolean {
  if (SECRET_NAME.test(name) || SECRET_COMPOUND.test(name)) return true;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  return words.some((w) => SECRET_WORDS.has(w));
}

/**
 * A copy of GraphQL variables fit for a log line: every value under a name that looks like a secret replaced by
 * "[redacted]", at any depth (input objects, lists of them), and passwords inside URLs elsewhere. Only used with
 * LOG_VARIABLES=true.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return redactInText(value);
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    const entries = value as Record<string, unknown>;
    // A key/value pair (`specs: [{ key: "password", value }]`): the value is named by its key.
    const label = typeof entries.key === 'string' ? entries.key : typeof entries.name === 'string' ? entries.name : null;
    const namedSecret = label !== null && isSecretName(label);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entries)) {
      // The pair's own `key` is a name, not a key in the cryptographic sense.
      const secret = k === 'value' ? namedSecret : isSecretName(k) && !(k === 'key' && label === v);
      out[k] = secret ? '[redacted]' : redactSecrets(v, depth + 1);
    }
    return out;
  }
  return value;
}
