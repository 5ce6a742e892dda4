// A KEYSTONE_URL without /v3 (devstack's http://host/identity, or no Keystone at all) was accepted: the version
// read sent an empty path and every valid token was refused as 'expired, revoked or unknown'.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('KEYSTONE_URL must be the identity v3 endpoint', () => {
  it.each(['http://h/identity', 'http://h:5000', 'http://h:5000/', 'http://h:5000/v2.0', 'http://h/v3/projects'])('%s is refused with an example', (url) => {
    expect(() => loadConfig({ KEYSTONE_URL: url })).toThrow(ConfigError);
    expect(() => loadConfig({ KEYSTONE_URL: url })).toThrow(/^KEYSTONE_URL must be Keystone's identity v3 endpoint, ending in \/v3 \(e\.g\. http:\/\/127\.0\.0\.1:5000\/v3/);
  });

  it.each(['http://h:5000/v3', 'http://h/identity/v3', 'https://h/identity/v3/'])('%s is taken', (url) => {
    const c = loadConfig({ KEYSTONE_URL: url });
    expect(c.identity).toMatchObject({ kind: 'keystone', url: url.replace(/\/$/, '') });
  });
});
