// Review of 2026-12-08: the check that a token's project id can stand in a path ran for fixed *_URLs too, so a token
// of project `..` lost a fixed SDRS endpoint (its project is Huawei's, not the token's) as UPSTREAM_UNAVAILABLE.
import { describe, expect, it } from 'vitest';
import { endpointFor } from '../../src/identity/directory.js';
import type { Identity } from '../../src/identity/keystone.js';

const identity = (project: string): Identity => ({ user: { id: 'u', name: 'u', domain: null }, project: { id: project, name: 'odd', domain: null }, roles: [], expiresAt: new Date(Date.now() + 60_000), catalog: [] });
const choice = { interface: 'public', region: null };

describe('a token project id no path can hold', () => {
  it('costs nothing with a fixed URL', () => {
    expect(endpointFor('sdrs', { kind: 'template', template: 'http://s/v1/0605767f8d00d5622f6fc00f63e70f3a' }, identity('..'), choice)).toBe('http://s/v1/0605767f8d00d5622f6fc00f63e70f3a');
  });

  it('makes a {project_id} template unavailable', () => {
    const r = endpointFor('cinder', { kind: 'template', template: 'http://c/v3/{project_id}' }, identity('..'), choice);
    expect(r).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringMatching(/cannot stand there/) });
  });
});
