// A *_URL without its API version segment (http://host:8776) was accepted: the version document read fine, then
// every lookup answered null and every listing NOT_FOUND. README promises one line at start-up instead.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('*_URL must carry its API version segment', () => {
  it.each([
    ['CINDER_URL', 'http://h:8776', /^CINDER_URL must be Cinder's v3 endpoint/],
    ['CINDER_URL', 'http://h:8776/v2/p', /^CINDER_URL must be Cinder's v3 endpoint/],
    ['CINDER_URL', 'http://h:8776/v3/p/groups', /^CINDER_URL must be Cinder's v3 endpoint/],
    ['MANILA_URL', 'http://h:8786/', /^MANILA_URL must be Manila's v2 endpoint/],
    ['MANILA_URL', 'http://h:8786/v1/p', /^MANILA_URL must be Manila's v2 endpoint/],
    ['SDRS_URL', 'https://sdrs.example.com/p', /^SDRS_URL must be SDRS's v1 endpoint/],
    ['SDRS_URL', 'https://sdrs.example.com/v1', /^SDRS_URL must be SDRS's v1 endpoint, …\/v1 followed by the project/],
  ])('%s=%s is refused with one line', (name, url, message) => {
    expect(() => loadConfig({ [name]: url })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: url })).toThrow(message);
  });

  it.each([
    ['CINDER_URL', 'http://h:8776/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9'],
    ['CINDER_URL', 'http://h:8776/v3'],
    ['CINDER_URL', 'http://h/volume/v3/p'],
    ['MANILA_URL', 'http://h:8786/v2/p'],
    ['MANILA_URL', 'http://h/share/v2'],
    ['SDRS_URL', 'https://sdrs.cn-north-4.myhuaweicloud.com/v1/p'],
    ['SDRS_URL', 'http://gw/sdrs/v1/p'],
  ])('%s=%s is taken', (name, url) => {
    expect(() => loadConfig({ [name]: url })).not.toThrow();
  });
});
