import { type ErrorCode, type UpstreamService, UpstreamError } from '../errors.js';
import { errors as undiciErrors } from 'undici';
import { MAX_RESPONSE_BYTES } from './transport.js';

// How every upstream failure becomes one UpstreamError: the error envelopes of the three services, HTTP statuses,
// and network failures.

/** Per-service knowledge of an error: which vocabulary code an upstream error name or code means. */
export type ErrorClassifier = (status: number, upstreamCode: string | null, message: string) => ErrorCode | undefined;

export function codeForStatus(status: number): ErrorCode {
  // 414: the URL the caller's arguments made was too long for the upstream (or a proxy in front of it).
  if (status === 400 || status === 422 || status === 413 || status === 414) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 406 || status === 501) return 'NOT_SUPPORTED';
  if (status === 503 || status === 502 || status === 429) return 'UPSTREAM_UNAVAILABLE';
  if (status === 504 || status === 408) return 'UPSTREAM_TIMEOUT';
  return 'UPSTREAM_ERROR';
}

/**
 * Cinder's and Manila's answer to a token of another project than the one their URL names (their API router's
 * project check): a 400 about the URL, though nothing in the request is malformed. FORBIDDEN, saying so.
 */
export function tokenOfAnotherProject(service: UpstreamService, status: number, message: string): string | null {
  if (status !== 400 || message !== 'Malformed request url' || (service !== 'cinder' && service !== 'manila')) return null;
  const label = serviceLabel(service);
  return (
    `The token is not of the project this facade's ${label} endpoint serves (${service.toUpperCase()}_URL names one project): ` +
    `use a token of that project, or run the facade with KEYSTONE_URL to serve every project. (${label} said: Malformed request url.)`
  );
}

const SERVICE_LABEL: Record<UpstreamService, string> = { cinder: 'Cinder', manila: 'Manila', sdrs: 'SDRS', keystone: 'Keystone' };

export function serviceLabel(service: UpstreamService): string {
  return SERVICE_LABEL[service];
}

/**
 * A call the breaker refused (circuit open): for everyone, or, with Keystone, for the caller's project alone (its
 * users' calls failed; other projects' go on).
 */
export function circuitOpenError(service: UpstreamService, forProject: boolean): UpstreamError {
  const label = serviceLabel(service);
  const message = forProject
    ? `${label} is failing for your project's calls; the facade stopped calling it for this project for a few seconds (circuit open).`
    : `${label} is failing; the facade stopped calling it for a few seconds (circuit open).`;
  return new UpstreamError('UPSTREAM_UNAVAILABLE', message, service, 0, null, null);
}

interface Envelope {
  name: string | null;
  code: string | null;
  message: string | null;
}

/**
 * Reads any error body the three services send: OpenStack `{"itemNotFound": {"code": 404, "message"}}` and
 * `computeFault`, keystone `{"error": {"code": 401, "title", "message"}}`, SDRS `{"error": {"code": "SDRS.1013"}}`
 * and `{"badrequest": {...}}`, or something that is not JSON at all (router 404s are plain text).
 */
/** An upstream's error name or code as the APIs make them (`itemNotFound`, `SDRS.1013`); anything else is dropped. */
const SAFE_CODE = /^[A-Za-z][A-Za-z0-9._:-]{0,63}$/;
const safeCode = (code: string | null): string | null => (code !== null && SAFE_CODE.test(code) ? code : null);

export function parseEnvelope(text: string): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { name: null, code: null, message: null };
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const entries = Object.entries(parsed as Record<string, unknown>);
    for (const [name, value] of entries) {
      if (value && typeof value === 'object') {
        const v = value as Record<string, unknown>;
        const message = typeof v.message === 'string' ? v.message : typeof v.title === 'string' ? v.title : null;
        const code = typeof v.code === 'string' || typeof v.code === 'number' ? String(v.code) : null;
        if (message !== null || code !== null) {
          // SDRS puts its own code (SDRS.1013) in "code"; OpenStack puts the HTTP status there.
          const upstreamCode = code && !/^\d+$/.test(code) ? code : name;
          return { name, code: safeCode(upstreamCode), message };
        }
      }
    }
    const flat = parsed as Record<string, unknown>;
    // Huawei's API gateway: {"error_code": "APIGW.0101", "error_msg": "..."}
    if (typeof flat.error_msg === 'string') {
      return { name: null, code: safeCode(typeof flat.error_code === 'string' ? flat.error_code : null), message: flat.error_msg };
    }
    if (typeof flat.message === 'string') return { name: null, code: null, message: flat.message };
  }
  return { name: null, code: null, message: null };
}

/** An upstream request id as OpenStack and SDRS make them (`req-<uuid>`, hex): anything else is not passed on. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(headers: Record<string, string | string[] | undefined>): string | null {
  for (const key of ['x-openstack-request-id', 'x-compute-request-id', 'x-request-id']) {
    const raw = headers[key];
    const v = Array.isArray(raw) ? raw[0] : raw;
    // An unsafe one is passed over: the next header may still name the answer (x-compute-request-id).
    if (typeof v === 'string' && SAFE_REQUEST_ID.test(v)) return v;
  }
  return null;
}

/** The limit a too-large answer passed: the call's own (transport.ts tooLarge), else undici's agent-wide one. */
const limitOf = (err: Error) => (err as { limit?: number }).limit ?? MAX_RESPONSE_BYTES;

/** The status a proxy answered a CONNECT with, when it refused the tunnel (undici: "Proxy response (407) !== 200 …"). */
export function proxyRefusal(err: unknown): number | null {
  if ((err as { code?: string })?.code !== 'UND_ERR_ABORTED') return null;
  const m = /^Proxy response \((\d{3})\)/.exec((err as Error).message);
  return m ? Number(m[1]) : null;
}

/** `answered`: its status and headers had come, so the host was reached and the answer broke off after them. */
export function networkError(service: UpstreamService, err: unknown, answered = false): UpstreamError {
  const label = serviceLabel(service);
  // Before the timeouts: undici names this refusal an AbortError.
  const proxyStatus = proxyRefusal(err);
  if (proxyStatus !== null) {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', `${label} could not be reached: the proxy answered ${proxyStatus}.`, service, 0, null, `PROXY_${proxyStatus}`);
  }
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError && (err as { reading?: boolean }).reading) {
    const message = `${label}'s answer was cut: this facade was already reading ${limitOf(err)} bytes of upstream answers at once.`;
    return new UpstreamError('UPSTREAM_ERROR', message, service, 0, null, null);
  }
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError) {
    return new UpstreamError('UPSTREAM_ERROR', `${label} answered with more than ${limitOf(err)} bytes; refused.`, service, 0, null, null);
  }
  if (
    err instanceof undiciErrors.ConnectTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
  ) {
    return new UpstreamError('UPSTREAM_TIMEOUT', `${label} did not answer in time.`, service, 0, null, null);
  }
  const code = (err as { code?: string }).code ?? (err as Error).name;
  if (isTlsRefusal(code)) {
    // The same for every call until the certificate or the trust changes: upstream.code names it, and it is not retried.
    return new UpstreamError('UPSTREAM_UNAVAILABLE', `${label}'s TLS certificate was not accepted (${code}).`, service, 0, null, code);
  }
  return new UpstreamError(
    'UPSTREAM_UNAVAILABLE',
    // A body cut short or malformed (a length it did not send, broken chunks): reached, as the timeouts above are too.
    answered ? `${label}'s answer broke off before its end (${code}).` : `${label} could not be reached (${code}).`,
    service,
    0,
    null,
    null,
  );
}

/**
 * Certificate checks Node's TLS failed (OpenSSL's verify codes, Node's ERR_TLS_CERT_ALTNAME_INVALID): an unknown
 * CA, a self-signed or expired certificate, a name it was not issued for. A TLS handshake that failed otherwise
 * (ERR_SSL_WRONG_VERSION_NUMBER: an https:// URL for a plain-HTTP port) is no certificate's fault.
 */
export function isTlsRefusal(code: string | null | undefined): boolean {
  return typeof code === 'string' && /CERT|SIGNATURE|ISSUER|ALTNAME|HOSTNAME_MISMATCH|^INVALID_CA$|^INVALID_PURPOSE$|^PATH_LENGTH_EXCEEDED$/.test(code);
}

/** How to find out whether a write happened, per service. */
const CHECK_HINT: Record<UpstreamService, string> = {
  cinder: 'Re-read the object (query it by id, or list) to see whether it did before sending the change again.',
  manila: 'Re-read the object (query it by id, or list) to see whether it did before sending the change again.',
  keystone: 'Re-read the object to see whether it did before sending the change again.',
  sdrs: "Check the protection group's status (and the job, if the action started one) to see whether it did before sending the change again.",
};

/**
 * A write (POST/PUT/DELETE) that was written to the upstream's socket and then got no whole answer: the connection
 * closed or reset, a timeout, the request deadline. The upstream may have carried it out, so it is neither
 * "unreachable" nor safe to send again blindly. Writes refused before they left keep networkError's codes.
 */
export function outcomeUnknown(service: UpstreamService, err: unknown): UpstreamError {
  let why: string;
  if (err instanceof undiciErrors.ResponseExceededMaxSizeError) {
    why = `its answer was larger than ${limitOf(err)} bytes and was not read`;
  } else if (
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
  ) {
    why = 'the request was sent but no answer came in time';
  } else {
    why = `the connection failed after the request was sent (${(err as { code?: string }).code ?? (err as Error).name})`;
  }
  return mayHaveHappened(service, why, 0, null);
}

/**
 * Whether a write answered `status` may have been carried out: a 500 (Cinder writes the row, then times out
 * waiting for its scheduler), a gateway's 502 or 504, and any other 5xx but 501 and 505 that does not carry the
 * service's own error (a proxy's 503 after the service dropped a request it had taken, a CDN's 520 or 524). The
 * service's own 503 (busy) says it was not.
 */
export function writeMayHaveHappened(status: number, text: string): boolean {
  if (status === 500 || status === 502 || status === 504) return true;
  if (status < 500 || status > 599 || status === 501 || status === 505) return false;
  // The service's own: OpenStack's named envelope or an SDRS code. A gateway's JSON (Huawei's APIGW.*, or a
  // proxy's {"error": {"code": 503}}, which parses as the bare name "error") is no word from the service.
  const code = parseEnvelope(text).code;
  return code === null || code === 'error' || /^APIGW?\./i.test(code);
}

/**
 * A write the upstream's side answered, but in a way that does not say whether it happened: a proxy's 502 or 504
 * after it passed the request on, or a success whose body is not JSON. Neither safe to resend nor a plain failure.
 */
export function outcomeUnknownAnswer(service: UpstreamService, status: number, why: string, requestId: string | null, upstreamCode: string | null = null): UpstreamError {
  return mayHaveHappened(service, `${why} (HTTP ${status})`, status, requestId, upstreamCode);
}

function mayHaveHappened(service: UpstreamService, why: string, status: number, requestId: string | null, upstreamCode: string | null = null): UpstreamError {
  const message = `${serviceLabel(service)} may have made this change: ${why}, so whether it happened is unknown. ${CHECK_HINT[service]}`;
  return new UpstreamError('OUTCOME_UNKNOWN', message, service, status, requestId, upstreamCode);
}

// Manila Zed leaves '%(reason)s'-style placeholders unformatted (bug 2007060); never show them raw.
/** The longest upstream message passed on to a client: a whole HTML page or a dump is not a message. */
const MAX_MESSAGE = 500;

export function cleanMessage(message: string): string {
  // Unfilled Python placeholders; then control characters, runs of white space, and length. Bidirectional
  // controls go too: an override turns the rest of the message around where a portal shows it.
  const cleaned = withoutPlaceholders(message)
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .replace(/\s+([.,;])/g, '$1')
    .trim();
  if (cleaned.length === 0) return 'The upstream refused the request without a reason.';
  return cleaned.length > MAX_MESSAGE ? `${cleaned.slice(0, MAX_MESSAGE)}…` : cleaned;
}

const PLACEHOLDER = /%\(([a-z0-9_]+)\)[sdrif]/g;
/** Words after which a value stood on its own: there the placeholder's name says what was meant. */
const BEFORE_VALUE = new Set(['for', 'of', 'to', 'and', 'or', 'by', 'with', 'from', 'in', 'on', 'at', 'than', 'as', '/']);
const WORDS: Record<string, string> = { id: 'ID', ver: 'version', req: 'requested', min: 'minimum', max: 'maximum' };

/** A message without its unfilled placeholders that still reads as a sentence: "access for type ID / project ID". */
function withoutPlaceholders(message: string): string {
  if (!message.includes('%(')) return message;
  return message
    .split(/(?<=\.)\s+/)
    .filter((sentence) => !onlyUnknownValues(sentence))
    .map((sentence) =>
      sentence
        .replace(/\s*:\s*%\([a-z0-9_]+\)[sdrif]/g, '') // "Invalid share: %(reason)s": the reason is unknown
        .replace(/\s*\(%\([a-z0-9_]+\)[sdrif]\)/g, '') // "allowed (%(allowed)d)"
        .replace(PLACEHOLDER, (_m, name: string, at: number, whole: string) => inWords(name, whole.slice(0, at), whole.slice(at + _m.length))),
    )
    .join(' ');
}

/** "Minimum is %(min_ver)s and maximum is %(max_ver)s.": every value unknown, nothing left to say. */
function onlyUnknownValues(sentence: string): boolean {
  const found = [...sentence.matchAll(PLACEHOLDER)];
  return found.length > 0 && found.every((m) => /\b(is|are|was)\s+$/i.test(sentence.slice(0, m.index)));
}

/** The placeholder's name in words where it stood alone, nothing where a neighbouring word already names it. */
function inWords(name: string, before: string, after: string): string {
  const words = name.split('_').map((w) => WORDS[w] ?? w);
  const next = /^\s*([\w/]+)/.exec(after)?.[1]?.toLowerCase();
  const prev = /([\w/]+)\s*$/.exec(before)?.[1]?.toLowerCase();
  if (next !== undefined && words.some((w) => w.toLowerCase() === next)) return '';
  return prev !== undefined && BEFORE_VALUE.has(prev) ? words.join(' ') : '';
}
