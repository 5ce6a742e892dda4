// NODE_ENV=production with any SIMULATE value skipped the guard against serving simulated data: SIMULATE=keystone
// served the simulators' example data for all three services, and SIMULATE=cinder also simulated Manila and SDRS
// behind the demo Keystone that takes any token, or none, as the demo admin.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const kinds = (env: Record<string, string>) => Object.fromEntries(Object.entries(loadConfig(env).services).map(([s, m]) => [s, m.kind]));

describe('NODE_ENV=production simulates only what SIMULATE names', () => {
  it('SIMULATE=keystone: the built-in Keystone, tokens required, and no service simulated', () => {
    const c = loadConfig({ NODE_ENV: 'production', SIMULATE: 'keystone' });
    expect(kinds({ NODE_ENV: 'production', SIMULATE: 'keystone' })).toEqual({ cinder: 'absent', manila: 'absent', sdrs: 'absent' });
    expect(c.identity).toMatchObject({ kind: 'keystone', url: 'simulated', required: true });
    expect(c.demo).toBe(false);
  });

  it('SIMULATE=cinder: Cinder alone, and no demo Keystone', () => {
    const c = loadConfig({ NODE_ENV: 'production', SIMULATE: 'cinder' });
    expect(kinds({ NODE_ENV: 'production', SIMULATE: 'cinder' })).toEqual({ cinder: 'simulated', manila: 'absent', sdrs: 'absent' });
    expect(c.identity).toEqual({ kind: 'none' });
    expect(c.demo).toBe(false);
  });

  it('all three named: all simulated, still without the demo Keystone', () => {
    const c = loadConfig({ NODE_ENV: 'production', SIMULATE: 'cinder,manila,sdrs' });
    expect(Object.values(c.services).every((m) => m.kind === 'simulated')).toBe(true);
    expect(c.identity).toEqual({ kind: 'none' });
  });

  it('keystone and a service: tokens required, the rest off', () => {
    const c = loadConfig({ NODE_ENV: 'production', SIMULATE: 'keystone,manila' });
    expect(kinds({ NODE_ENV: 'production', SIMULATE: 'keystone,manila' })).toEqual({ cinder: 'absent', manila: 'simulated', sdrs: 'absent' });
    expect(c.identity).toMatchObject({ kind: 'keystone', required: true });
  });
});

describe('outside production the demo stays as it was', () => {
  it.each([{}, { NODE_ENV: 'development', SIMULATE: 'cinder' }, { SIMULATE: 'keystone' }])('%o: every service simulated', (env) => {
    const c = loadConfig(env);
    expect(Object.values(c.services).every((m) => m.kind === 'simulated')).toBe(true);
    expect(c.demo).toBe(true);
  });

  it('with nothing named, the demo Keystone lets any token or none in as the demo admin', () => {
    expect(loadConfig({}).identity).toMatchObject({ kind: 'keystone', url: 'simulated', required: false });
    expect(loadConfig({ SIMULATE: 'keystone' }).identity).toMatchObject({ kind: 'keystone', required: true });
  });
});
