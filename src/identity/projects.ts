import DataLoader from 'dataloader';
import { UpstreamError } from '../errors.js';
import type { Caller } from '../upstreams/caller.js';
import { type Identity, type KeystoneClient, type ProjectRef, isAdmin } from './keystone.js';

/**
 * `project { id name }` of any object, for one request: the caller's own project from its token (no call); others'
 * names from one Keystone listing when the caller is an admin (Keystone has no read by many ids), else the id alone.
 * Without Keystone the id alone too: `project { id }` then agrees with `projectId`, the name is not known.
 */
export function createProjectLoader(identity: Identity | null, keystone: KeystoneClient | null, caller: Caller): DataLoader<string, ProjectRef | null> {
  return new DataLoader<string, ProjectRef | null>(async (ids) => {
    if (!identity || !keystone) return ids.map((id) => ({ id, name: null, domain: null }));
    const own = identity.project;
    // A 403 (secure RBAC keeps the listing from a project-scoped admin): names not known, as for any other caller.
    const refused = (err: Error) => (err instanceof UpstreamError && err.status === 403 ? [] : err);
    const listing = ids.some((id) => id !== own?.id) && isAdmin(identity) ? await keystone.listProjects(caller).catch(refused) : [];
    // A failed listing fails the other projects' links only: the caller's own project is known from its token.
    if (listing instanceof Error) return ids.map((id) => (id === own?.id ? own : listing));
    const byId = new Map(listing.map((p) => [p.id, p]));
    return ids.map((id) => (id === own?.id ? own : (byId.get(id) ?? { id, name: null, domain: null })));
  });
}
