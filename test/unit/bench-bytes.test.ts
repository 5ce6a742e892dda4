// The bench's byte accounting (bench/procs/bytes.ts): what counts as discarded, per GraphQL request.
import { describe, expect, it } from 'vitest';
import { ByteLedger } from '../../bench/procs/bytes.js';
import type { RecordedCall } from '../../src/simulator/server.js';

function call(path: string, requestId: string | undefined, method = 'GET'): RecordedCall {
  const headers = requestId ? { 'x-openstack-request-id': requestId } : {};
  return { method, url: path, path, headers, body: '', answeredBefore: 0 };
}

const V3 = '/v3/8a1f2c3d4e5f40718293a4b5c6d7e8f9';
const groups = (...ids: string[]) => ({ status: 200, json: { groups: ids.map((id) => ({ id })) } });
const volumes = (...v: [string, string][]) => ({ status: 200, json: { volumes: v.map(([id, group_id]) => ({ id, group_id })) } });

describe('ByteLedger', () => {
  it('counts nothing until enabled', () => {
    const ledger = new ByteLedger();
    ledger.observe(call(`${V3}/groups/detail`, 'req-1'), groups('g1'), 100);
    expect(ledger.tally()).toEqual({ requests: 0, read: 0, discarded: 0, discardedBy: {} });
  });

  it('discards the children of groups not on the page, and only those', () => {
    const ledger = new ByteLedger();
    ledger.enable(true);
    ledger.observe(call(`${V3}/volumes/detail`, 'req-1'), volumes(['v1', 'g1'], ['v2', 'g9'], ['v3', 'g2'], ['v4', 'g9']), 400);
    ledger.observe(call(`${V3}/groups/detail`, 'req-1'), groups('g1', 'g2'), 200);
    ledger.observe(call(`${V3}/group_types`, 'req-1'), { status: 200, json: { group_types: [{ id: 't1' }, { id: 't2' }] } }, 50);
    expect(ledger.tally()).toEqual({ requests: 1, read: 650, discarded: 200, discardedBy: { 'volumes/detail': 200 } });
  });

  it('discards the earlier copy of an item read twice in one request, not across requests', () => {
    const ledger = new ByteLedger();
    ledger.enable(true);
    ledger.observe(call(`${V3}/groups/detail`, 'req-1'), groups('g1'), 100);
    ledger.observe(call(`${V3}/volumes/detail`, 'req-1'), volumes(['v1', 'g1'], ['v2', 'g1']), 300);
    ledger.observe(call(`${V3}/volumes/detail?group_id=g1`, 'req-1'), volumes(['v1', 'g1']), 120);
    ledger.observe(call(`${V3}/groups/detail`, 'req-2'), groups('g1'), 100);
    ledger.observe(call(`${V3}/volumes/detail?group_id=g1`, 'req-2'), volumes(['v1', 'g1']), 120);
    expect(ledger.tally()).toEqual({ requests: 2, read: 740, discarded: 150, discardedBy: { 'volumes/detail': 150 } });
  });

  it('says which collection the discarded bytes came from', () => {
    const ledger = new ByteLedger();
    ledger.enable(true);
    ledger.observe(call(`${V3}/groups/detail`, 'req-1'), groups('g1'), 100);
    ledger.observe(call(`${V3}/volumes/detail`, 'req-1'), volumes(['v1', 'g2']), 70);
    const snapshots = { status: 200, json: { group_snapshots: [{ id: 's1', group_id: 'g3' }, { id: 's2', group_id: 'g1' }] } };
    ledger.observe(call(`${V3}/group_snapshots/detail`, 'req-1'), snapshots, 60);
    expect(ledger.tally().discardedBy).toEqual({ 'volumes/detail': 70, 'group_snapshots/detail': 30 });
  });

  it('ignores writes and calls without a request id; a tally forgets what it summed', () => {
    const ledger = new ByteLedger();
    ledger.enable(true);
    ledger.observe(call(`${V3}/volumes`, 'req-1', 'POST'), { status: 202, json: { volume: { id: 'v1' } } }, 90);
    ledger.observe(call(`${V3}/volumes/detail`, undefined), volumes(['v1', 'g1']), 90);
    ledger.observe(call(`${V3}/volumes/v1`, 'req-1'), { status: 200, json: { volume: { id: 'v1', group_id: 'g7' } } }, 80);
    expect(ledger.tally()).toEqual({ requests: 1, read: 80, discarded: 0, discardedBy: {} });
    expect(ledger.tally()).toEqual({ requests: 0, read: 0, discarded: 0, discardedBy: {} });
  });
});
