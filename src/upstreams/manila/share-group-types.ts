import type { Caller } from '../caller.js';
import { path } from '../http.js';
import type { ManilaClient } from './client.js';
import type { ManilaShareGroupType, ManilaShareGroupTypeAccess } from './types.js';
import { arrayIn, objectIn } from '../wire.js';

/**
 * Share group type administration (manila/api/v2/share_group_types.py, share_group_type_specs.py): admin-only by
 * Manila's default policy, so anyone else gets Manila's 403 (FORBIDDEN), never a refusal made up here.
 */
export class ManilaShareGroupTypeAdmin {
  constructor(private readonly client: ManilaClient) {}

  /** 200 with the new type; share types by id (Manila also takes names, the facade sends ids). */
  async create(caller: Caller, body: Record<string, unknown>): Promise<ManilaShareGroupType> {
    await this.client.requireShareGroups(caller);
    const res = await this.client.call(caller, 'share-groups', {
      method: 'POST',
      path: '/share-group-types',
      body: { share_group_type: body },
    });
    return objectIn<ManilaShareGroupType>('manila', res, 'share_group_type', true);
  }

  /** 204; a type share groups still use is a 400 "still in use" (the client makes it CONFLICT). */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.client.requireShareGroups(caller);
    await this.client.call(caller, 'share-groups', { method: 'DELETE', path: path`/share-group-types/${id}` });
  }

  /** Adds or overwrites the given specs (others stay). */
  async setSpecs(caller: Caller, id: string, specs: Record<string, string>): Promise<void> {
    await this.client.requireShareGroups(caller);
    await this.client.call(caller, 'share-groups', {
      method: 'POST',
      path: path`/share-group-types/${id}/group-specs`,
      body: { group_specs: specs },
    });
  }

  /** One key per call: Manila has no bulk unset (204; 404 for a key that is not set). */
  async unsetSpec(caller: Caller, id: string, key: string): Promise<void> {
    await this.client.requireShareGroups(caller);
    await this.client.call(caller, 'share-groups', { method: 'DELETE', path: path`/share-group-types/${id}/group-specs/${key}` });
  }

  /** `addProjectAccess` / `removeProjectAccess` (202); public types answer 409. */
  async access(caller: Caller, id: string, action: 'addProjectAccess' | 'removeProjectAccess', projectId: string): Promise<void> {
    await this.client.requireShareGroups(caller);
    await this.client.call(caller, 'share-groups', {
      method: 'POST',
      path: path`/share-group-types/${id}/action`,
      body: { [action]: { project: projectId } },
    });
  }

  /** The projects a private type is shared with (404 for a public type: it has no list). */
  async listAccess(caller: Caller, id: string): Promise<ManilaShareGroupTypeAccess[]> {
    await this.client.requireShareGroups(caller);
    const res = await this.client.call(caller, 'share-groups', { method: 'GET', path: path`/share-group-types/${id}/access` });
    return arrayIn<ManilaShareGroupTypeAccess>('manila', res, 'share_group_type_access', (a) => typeof a.project_id === 'string', 'a project_id');
  }
}
