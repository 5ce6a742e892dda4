import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('subscription settings (issue 21)', () => {
  it('defaults: 10 s poll maximum, 50 per connection, 5,000 in all', () => {
    const { limits } = loadConfig({});
    expect([limits.subscriptionPollMaxMs, limits.maxSubscriptionsPerConnection, limits.maxSubscriptions]).toEqual([10_000, 50, 5_000]);
  });

  it.each(['SUBSCRIPTION_POLL_MAX_MS', 'MAX_SUBSCRIPTIONS_PER_CONNECTION', 'MAX_SUBSCRIPTIONS'])('%s must be a positive whole number', (name) => {
    for (const bad of ['0', '-5', '2.5', 'ten']) {
      expect(() => loadConfig({ [name]: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: bad })).toThrow(new RegExp(`^${name} must be a positive whole number`));
    }
    // The poll interval has a floor of 200 ms (config-subscription-poll.test.ts); 700 is valid for all three.
    expect(() => loadConfig({ [name]: '700' })).not.toThrow();
  });
});
