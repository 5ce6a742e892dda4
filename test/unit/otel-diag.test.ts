// OpenTelemetry reports a failed export only through its diag logger, and none was registered: an unreachable
// collector was silent. Its warnings and errors now go to the facade's log, each kind at most once per 10 s.
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { OtelDiagLog, registerOtelDiagLog } from '../../src/observability/otelDiag.js';
import { createLogger } from '../../src/observability/logger.js';
import { logCapture } from '../helpers/logs.js';

const logger = () => {
  const logs = logCapture();
  return { logs, log: createLogger({ level: 'info', format: 'json', variables: false }, logs.stream) };
};

afterEach(() => diag.disable());

describe('OtelDiagLog', () => {
  it('writes a kind of message at most once per 10 s, then says how many it held back', () => {
    const { logs, log } = logger();
    let now = 1_000_000;
    const d = new OtelDiagLog(log, () => now);
    d.error('span export failed', new Error('connect ECONNREFUSED 127.0.0.1:9'));
    for (let i = 0; i < 50; i++) d.error('span export failed', new Error('connect ECONNREFUSED 127.0.0.1:9'));
    d.warn('span queue full: dropping spans until the exporter catches up');
    now += 9_999;
    d.error('span export failed', new Error('again'));
    now += 2;
    d.error('span export failed', new Error('later'));
    expect(logs.lines.map((l) => [l.level, l.msg, l.reason, l.suppressed])).toEqual([
      [50, 'opentelemetry: span export failed', 'connect ECONNREFUSED 127.0.0.1:9', undefined],
      [40, 'opentelemetry: span queue full: dropping spans until the exporter catches up', undefined, undefined],
      [50, 'opentelemetry: span export failed', 'later', 51],
    ]);
  });

  it('is registered at warn: info and debug stay out', () => {
    const { logs, log } = logger();
    const unregister = registerOtelDiagLog(log);
    diag.info('an info line');
    diag.debug('a debug line');
    diag.warn('a warning');
    expect(logs.lines.map((l) => l.msg)).toEqual(['opentelemetry: a warning']);
    unregister();
    diag.warn('after');
    expect(logs.lines).toHaveLength(1);
  });

  it("unregistering an older facade's logger leaves a newer one in place", () => {
    const first = logger();
    const second = logger();
    const unregisterFirst = registerOtelDiagLog(first.log);
    registerOtelDiagLog(second.log);
    unregisterFirst();
    diag.warn('still heard');
    expect(second.logs.lines.map((l) => l.msg)).toEqual(['opentelemetry: still heard']);
    expect(first.logs.lines).toEqual([]);
  });
});
