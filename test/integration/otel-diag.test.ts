// A facade tracing to a collector that is not there said nothing: OpenTelemetry reports failed exports through its
// diag logger only. Now they are lines in the facade's own log, one per kind of failure every 10 s.
import { afterEach, describe, expect, it } from 'vitest';
import { type Facade, startFacade, waitFor } from '../helpers/facade.js';
import { logCapture } from '../helpers/logs.js';
import { closedPort } from '../helpers/ports.js';

let f: Facade | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

describe('an OTLP collector that cannot be reached', () => {
  it('is said in the log, once however many batches fail', async () => {
    const logs = logCapture();
    const env = { SIMULATE: 'cinder', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, OTEL_BSP_SCHEDULE_DELAY: '20' };
    f = await startFacade(env, undefined, undefined, { logDestination: logs.stream });
    const exportLines = () => logs.lines.filter((l) => /^opentelemetry: /.test(l.msg ?? ''));
    for (let i = 0; i < 5; i++) {
      await f.ok('{ groups(first: 1) { nodes { id } } }');
      await new Promise((r) => setTimeout(r, 60));
    }
    // The exporter retries a refused connection with backoff for a few seconds before it gives a batch up.
    const lines = await waitFor(async () => exportLines(), (l) => l.length > 0, 20_000);
    expect(lines[0], JSON.stringify(logs.lines.slice(-5))).toMatchObject({ level: 50, msg: 'opentelemetry: span export failed' });
    expect(lines.filter((l) => l.msg === 'opentelemetry: span export failed')).toHaveLength(1);
  }, 30_000);
});
