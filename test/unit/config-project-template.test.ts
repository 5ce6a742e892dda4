// `openstack endpoint list` prints endpoints as …/v3/%(project_id)s (or $(project_id)s, %(tenant_id)s): operators
// copy them into *_URL. With KEYSTONE_URL set they made every request a 500 (URIError in projectOfUrl).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { projectOfUrl } from '../../src/identity/catalog.js';

const KS = 'http://127.0.0.1:5000/v3';

describe('project placeholders in *_URL', () => {
  it.each(['%(project_id)s', '$(project_id)s', '%(tenant_id)s', '$(tenant_id)s'])('%s is read as {project_id}', (spelling) => {
    const c = loadConfig({ KEYSTONE_URL: KS, CINDER_URL: `http://h:8776/v3/${spelling}`, MANILA_URL: `http://h:8786/v2/${spelling}` });
    expect(c.services.cinder).toEqual({ kind: 'real', url: 'http://h:8776/v3/{project_id}' });
    expect(c.services.manila).toEqual({ kind: 'real', url: 'http://h:8786/v2/{project_id}' });
  });

  it('without Keystone, a placeholder stops start-up naming the setting and its spelling', () => {
    expect(() => loadConfig({ CINDER_URL: 'http://h/v3/%(project_id)s' })).toThrow(ConfigError);
    expect(() => loadConfig({ CINDER_URL: 'http://h/v3/%(project_id)s' })).toThrow(/^CINDER_URL holds %\(project_id\)s, which only a Keystone token can fill/);
  });

  it('any other %(…)s or $(…)s template stops start-up with one line', () => {
    expect(() => loadConfig({ KEYSTONE_URL: KS, SDRS_URL: 'http://h/v1/%(user_id)s' })).toThrow(/^SDRS_URL holds the template %\(user_id\)s/);
  });

  // Probe of 2026-12-08: in the host, a token's project id chose which host got the token, and an id no host name
  // can hold (`a b`, `%`) made every request of that token a 500.
  it.each(['http://{project_id}.cinder.example:8776/v3/x', 'http://%(project_id)s.h:8776/v3/x', 'http://h{project_id}:8776/v3/x'])('%s: {project_id} only in the path', (url) => {
    expect(() => loadConfig({ KEYSTONE_URL: KS, CINDER_URL: url })).toThrow(/^CINDER_URL may hold \{project_id\} only in its path, not in its host/);
  });

  it('KEYSTONE_URL may not hold {project_id} (or its other spellings)', () => {
    expect(() => loadConfig({ KEYSTONE_URL: 'http://h:5000/v3/{project_id}' })).toThrow(/^KEYSTONE_URL/);
    expect(() => loadConfig({ KEYSTONE_URL: 'http://h:5000/%(project_id)s/v3' })).toThrow(/^KEYSTONE_URL/);
  });

  it('projectOfUrl never throws on a segment that is no valid percent-encoding', () => {
    expect(() => projectOfUrl('http://h/v3/%(project_id)s')).not.toThrow();
    expect(projectOfUrl('http://h/v3/%E0%A4%A')).toBe('%E0%A4%A');
    expect(projectOfUrl('http://h/v3/ab%20c')).toBe('ab c');
  });
});
