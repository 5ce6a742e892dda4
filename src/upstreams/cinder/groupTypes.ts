import type { Caller } from '../caller.js';
import { path } from '../http.js';
import type { CinderClient } from './client.js';
import type { CinderGroupType } from './types.js';
import { objectIn } from '../wire.js';

/**
 * Group type administration (cinder/api/v3/group_types.py, group_specs.py). Every write is admin-only in Cinder's
 * default policy: anyone else gets Cinder's 403, which the client maps to FORBIDDEN like any other.
 */
export class CinderGroupTypeAdmin {
  constructor(private readonly client: CinderClient) {}

  /** 202 with the new type's view. */
  async create(caller: Caller, body: Record<string, unknown>): Promise<CinderGroupType> {
    const res = await this.client.request(caller, { method: 'POST', path: '/group_types', body: { group_type: body } }, 'groups');
    return objectIn<CinderGroupType>('cinder', res, 'group_type', true);
  }

  /** 200 with the updated view; name, description and is_public only (specs have their own endpoints). */
  async update(caller: Caller, id: string, body: Record<string, unknown>): Promise<void> {
    await this.client.request(caller, { method: 'PUT', path: path`/group_types/${id}`, body: { group_type: body } }, 'groups');
  }

  /** 202, empty; a type groups still use is a 400 ("Target group type is still in use"). */
  async delete(caller: Caller, id: string): Promise<void> {
    await this.client.request(caller, { method: 'DELETE', path: path`/group_types/${id}` }, 'groups');
  }

  /** Adds or overwrites specs, leaving the others (`db.group_type_specs_update_or_create`). */
  async setSpecs(caller: Caller, id: string, specs: Record<string, string>): Promise<void> {
    await this.client.request(
      caller,
      { method: 'POST', path: path`/group_types/${id}/group_specs`, body: { group_specs: specs } },
      'groups',
    );
  }

  /** One key per call: Cinder has no bulk unset. 404 when the type has no such key. */
  async unsetSpec(caller: Caller, id: string, key: string): Promise<void> {
    await this.client.request(caller, { method: 'DELETE', path: path`/group_types/${id}/group_specs/${key}` }, 'groups');
  }

  /** The type `default_group_type` names; Cinder answers 404 when none is configured. */
  async showDefault(caller: Caller): Promise<CinderGroupType> {
    const res = await this.client.request(caller, { method: 'GET', path: '/group_types/default' }, 'groups');
    return objectIn<CinderGroupType>('cinder', res, 'group_type');
  }
}
