/**
 * MAX_RESPONSE_BYTES: an answer that serialised larger than this is not sent. The node count (GRAPHQL_MAX_NODES)
 * bounds how many objects an answer holds, not how long their strings are; this bounds what one answer can make the
 * facade hold and write. The client gets a small error it can act on (ask for less) instead.
 */
export function boundedAnswer(body: string, maxBytes: number, requestId: string): { body: string; status?: number; code?: string } {
  // A UTF-8 string is at most 3 bytes per UTF-16 unit: measure exactly only when it could be over.
  if (body.length * 3 <= maxBytes || Buffer.byteLength(body, 'utf8') <= maxBytes) return { body };
  const message = `The answer is larger than ${maxBytes} bytes (MAX_RESPONSE_BYTES); ask for smaller pages or fewer fields.`;
  const code = 'RESPONSE_TOO_LARGE';
  return { body: JSON.stringify({ errors: [{ message, extensions: { code, limit: maxBytes, requestId } }] }), status: 400, code };
}
