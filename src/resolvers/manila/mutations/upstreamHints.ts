import { type ErrorCode, UpstreamError } from '../../../errors.js';

/**
 * Runs one Manila write and, when it fails with one of the given codes, says what the facade knows: Zed's
 * messages are often bare templates ("Invalid share group: %(reason)s", placeholders already stripped).
 * Code, status and request id stay those of the upstream error.
 */
export async function explainFailure<T>(p: Promise<T>, hints: Partial<Record<ErrorCode, string>>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const hint = err instanceof UpstreamError ? hints[err.code] : undefined;
    if (err instanceof UpstreamError && hint) {
      throw new UpstreamError(err.code, `${hint} (Manila said: ${err.message})`, err.service, err.status, err.requestId, err.upstreamCode);
    }
    throw err;
  }
}
