import type { Caller } from '../caller.js';
import { path } from '../http.js';
import { compareVersions } from '../microversion.js';
import { MANILA_VERSIONS, type ListOptions, type ManilaClient } from './client.js';
import type { ManilaCgSnapshot, ManilaCgSnapshotMember, ManilaConsistencyGroup } from './types.js';
import { objectIn } from '../wire.js';

/**
 * Legacy consistency-group endpoints (2.4–2.30, experimental): `/consistency-groups` and `/cgsnapshots`.
 * Removed from Manila in Ocata (4.0.0); every method first checks the service still serves them, so a newer
 * Manila gets NOT_SUPPORTED without a single call beyond version discovery.
 */
export class ManilaConsistencyGroups {
  constructor(private readonly client: ManilaClient) {}

  /** `reset_status` / `force_delete` from 2.7; `os-reset_status` / `os-force_delete` for 2.4–2.6. */
  private async actionName(caller: Caller, action: 'reset_status' | 'force_delete'): Promise<string> {
    const v = await this.client.version(caller);
    return compareVersions(v, MANILA_VERSIONS.bareActions) >= 0 ? action : `os-${action}`;
  }

  async list(caller: Caller, o: ListOptions): Promise<ManilaConsistencyGroup[]> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.list(caller, 'consistency-groups', '/consistency-groups/detail', 'consistency_groups', o);
  }

  async listSummaries(caller: Caller, o: ListOptions): Promise<{ id: string }[]> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.list(caller, 'consistency-groups', '/consistency-groups', 'consistency_groups', o);
  }

  async show(caller: Caller, id: string): Promise<ManilaConsistencyGroup> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.show(caller, 'consistency-groups', path`/consistency-groups/${id}`, 'consistency_group');
  }

  async create(caller: Caller, body: Record<string, unknown>): Promise<ManilaConsistencyGroup> {
    await this.client.requireConsistencyGroups(caller);
    const res = await this.client.call(caller, 'consistency-groups', {
      method: 'POST',
      path: '/consistency-groups',
      body: { consistency_group: body },
    });
    return objectIn<ManilaConsistencyGroup>('manila', res, 'consistency_group', true);
  }

  async update(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    await this.client.call(caller, 'consistency-groups', {
      method: 'PUT',
      path: path`/consistency-groups/${id}`,
      body: { consistency_group: body },
    });
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    await this.client.call(caller, 'consistency-groups', { method: 'DELETE', path: path`/consistency-groups/${id}` });
  }

  async action(caller: Caller, id: string, action: 'reset_status' | 'force_delete', args: unknown): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    const name = await this.actionName(caller, action);
    await this.client.call(caller, 'consistency-groups', {
      method: 'POST',
      path: path`/consistency-groups/${id}/action`,
      body: { [name]: args },
    });
  }

  // ---- cgsnapshots. These releases ignore filters on the list, so callers partition locally.
  async listSnapshots(caller: Caller, o: ListOptions): Promise<ManilaCgSnapshot[]> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.list(caller, 'consistency-groups', '/cgsnapshots/detail', 'cgsnapshots', o);
  }

  async listSnapshotSummaries(caller: Caller, o: ListOptions): Promise<{ id: string }[]> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.list(caller, 'consistency-groups', '/cgsnapshots', 'cgsnapshots', o);
  }

  async showSnapshot(caller: Caller, id: string): Promise<ManilaCgSnapshot> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.show(caller, 'consistency-groups', path`/cgsnapshots/${id}`, 'cgsnapshot');
  }

  async createSnapshot(caller: Caller, body: Record<string, unknown>): Promise<ManilaCgSnapshot> {
    await this.client.requireConsistencyGroups(caller);
    const res = await this.client.call(caller, 'consistency-groups', { method: 'POST', path: '/cgsnapshots', body: { cgsnapshot: body } });
    return objectIn<ManilaCgSnapshot>('manila', res, 'cgsnapshot', true);
  }

  async updateSnapshot(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    await this.client.call(caller, 'consistency-groups', { method: 'PUT', path: path`/cgsnapshots/${id}`, body: { cgsnapshot: body } });
  }

  async deleteSnapshot(caller: Caller, id: string): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    await this.client.call(caller, 'consistency-groups', { method: 'DELETE', path: path`/cgsnapshots/${id}` });
  }

  async snapshotAction(caller: Caller, id: string, action: 'reset_status' | 'force_delete', args: unknown): Promise<void> {
    await this.client.requireConsistencyGroups(caller);
    const name = await this.actionName(caller, action);
    await this.client.call(caller, 'consistency-groups', {
      method: 'POST',
      path: path`/cgsnapshots/${id}/action`,
      body: { [name]: args },
    });
  }

  async snapshotMembers(caller: Caller, id: string): Promise<ManilaCgSnapshotMember[]> {
    await this.client.requireConsistencyGroups(caller);
    return this.client.listAll((o) =>
      this.client.list<ManilaCgSnapshotMember>(caller, 'consistency-groups', path`/cgsnapshots/${id}/members`, 'cgsnapshot_members', o),
    );
  }
}
