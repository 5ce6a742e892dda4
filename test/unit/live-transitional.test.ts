import { describe, expect, it } from 'vitest';
import { enumSpelling } from '../../src/graphql/scalars.js';
import { hasSettled, isTransitional } from '../../src/live/transitional.js';

describe('transitional statuses', () => {
  it('reads wire and enum spellings alike', () => {
    expect(enumSpelling('failing-over')).toBe('FAILING_OVER');
    expect(isTransitional('groupReplication', 'failing-over')).toBe(true);
    expect(isTransitional('group', 'creating')).toBe(true);
    expect(isTransitional('group', 'CREATING')).toBe(true);
    expect(isTransitional('job', 'RUNNING')).toBe(true);
    expect(isTransitional('protectionGroup', 'failing-over')).toBe(true);
  });

  it('does not call a resting or error status transitional', () => {
    for (const s of ['available', 'error', 'error_deleting', 'in-use', 'deleted', '', null]) {
      expect(isTransitional('group', s)).toBe(false);
    }
    expect(isTransitional('job', 'SUCCESS')).toBe(false);
    expect(isTransitional('protectionGroup', 'failed-over')).toBe(false);
    expect(isTransitional('shareGroupSnapshot', 'available')).toBe(false);
  });

  it('a Cinder group settles only when its replication has too', () => {
    expect(hasSettled('group', { status: 'available', replication_status: 'enabling' })).toBe(false);
    expect(hasSettled('group', { status: 'available', replicationStatus: 'FAILING_OVER' })).toBe(false);
    expect(hasSettled('group', { status: 'updating', replication_status: 'enabled' })).toBe(false);
    expect(hasSettled('group', { status: 'available', replication_status: 'enabled' })).toBe(true);
    expect(hasSettled('groupReplication', { status: 'creating', replication_status: 'disabled' })).toBe(false);
  });

  it('an object that is gone has settled', () => {
    expect(hasSettled('groupSnapshot', null)).toBe(true);
    expect(hasSettled('shareGroup', { status: 'deleting' })).toBe(false);
  });
});
