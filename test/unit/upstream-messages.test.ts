// Manila Zed sends some messages with their `%(name)s` placeholders unfilled (bug 2007060). Cutting them out left
// "Share group type access for / combination already exists." (addShareGroupTypeAccess twice, against real Manila).
import { describe, expect, it } from 'vitest';
import { cleanMessage, requestIdOf } from '../../src/upstreams/upstreamErrors.js';

describe('cleanMessage on Manila Zed messages with unfilled placeholders', () => {
  it.each([
    // ShareGroupTypeAccessExists / ShareGroupTypeAccessNotFound: the placeholders stand alone; their names say what they were.
    ['Share group type access for %(type_id)s / %(project_id)s combination already exists.', 'Share group type access for type ID / project ID combination already exists.'],
    ['Share group type access not found for %(type_id)s / %(project_id)s combination.', 'Share group type access not found for type ID / project ID combination.'],
    // ShareTypeAccessNotFound: the next word already names it.
    ['Share type access not found for %(share_type_id)s type and %(project_id)s project combination.', 'Share type access not found for type and project combination.'],
    // A name after the noun it names: the noun is enough.
    ['Share group type %(type_id)s already exists.', 'Share group type already exists.'],
    ['Share Type %(share_type)s does not exist.', 'Share Type does not exist.'],
    ['Availability zone %(id)s could not be found.', 'Availability zone could not be found.'],
    ['Share group %(share_group_id)s could not be found.', 'Share group could not be found.'],
    ['API Version String %(version)s is of invalid format. Must be of format MajorNum.MinorNum.', 'API Version String is of invalid format. Must be of format MajorNum.MinorNum.'],
    // A reason after a colon is left out with its colon.
    ['Invalid share group: %(reason)s', 'Invalid share group'],
    ['Invalid share: %(reason)s.', 'Invalid share.'],
    // A sentence that is nothing but unknown values goes.
    ['Version %(req_ver)s is not supported by the API. Minimum is %(min_ver)s and maximum is %(max_ver)s.', 'Version is not supported by the API.'],
    // A placeholder alone in parentheses goes with them.
    ['Maximum number of shares allowed (%(allowed)d) exceeded.', 'Maximum number of shares allowed exceeded.'],
  ])('%s', (raw, clean) => {
    expect(cleanMessage(raw)).toBe(clean);
  });

  it('leaves filled messages as they are, and never returns an empty one', () => {
    expect(cleanMessage('Share group 1a2b could not be found.')).toBe('Share group 1a2b could not be found.');
    expect(cleanMessage('Quota exceeded: 100% used.')).toBe('Quota exceeded: 100% used.');
    expect(cleanMessage('%(reason)s')).toBe('The upstream refused the request without a reason.');
  });
});

describe('requestIdOf (the upstream\'s own id for an answer)', () => {
  it('passes over an unsafe header to the next one that names the answer', () => {
    expect(requestIdOf({ 'x-openstack-request-id': 'bad id\twith {evil}', 'x-compute-request-id': 'req-11111111-2222-4333-8444-555555555555' })).toBe('req-11111111-2222-4333-8444-555555555555');
    expect(requestIdOf({ 'x-openstack-request-id': 'req-a', 'x-request-id': 'req-b' })).toBe('req-a');
    expect(requestIdOf({ 'x-openstack-request-id': 'bad id' })).toBeNull();
    expect(requestIdOf({})).toBeNull();
  });
});

// Byzantine-upstream probe of 2026-12-08: control characters were stripped, the bidirectional overrides were not
// (U+202E turns the rest of a message around where a portal shows it).
describe('cleanMessage on bidirectional controls', () => {
  it('strips embeddings, overrides, isolates and marks', () => {
    expect(cleanMessage('Volume \u202Eexe.gnp\u202C is busy \u2066x\u2069\u200F.')).toBe('Volume exe.gnp is busy x.');
  });
});
