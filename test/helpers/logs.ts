import { Writable } from 'node:stream';

export type Line = Record<string, any>;

/** Log lines as the facade writes them, parsed (pass `stream` as the facade's log destination). */
export function logCapture() {
  const lines: Line[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      raw += chunk.toString();
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { stream, lines, raw: () => raw };
}
