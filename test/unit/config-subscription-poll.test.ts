// SUBSCRIPTION_POLL_MAX_MS had no lower bound: =1 made one subscription read its object 1,676 times in 3 s.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('SUBSCRIPTION_POLL_MAX_MS', () => {
  it.each(['1', '50', '199'])('%s ms is refused with one line giving the floor', (value) => {
    expect(() => loadConfig({ SUBSCRIPTION_POLL_MAX_MS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SUBSCRIPTION_POLL_MAX_MS: value })).toThrow(/^SUBSCRIPTION_POLL_MAX_MS must be at least 200 \(ms\)/);
  });

  it.each([['200', 200], ['300', 300], ['', 10_000]])('%o is taken', (value, ms) => {
    expect(loadConfig({ SUBSCRIPTION_POLL_MAX_MS: value }).limits.subscriptionPollMaxMs).toBe(ms);
  });
});
