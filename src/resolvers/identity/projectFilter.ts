import { InputError } from '../../errors.js';

/**
 * `filter.projectId` as the upstreams' `project_id`: only beside `allProjects: true`, since a project-scoped
 * listing holds the caller's project alone (and Cinder refuses the filter to non-admins).
 */
export function projectFilter(args: { allProjects?: boolean | null; filter?: { projectId?: string | null } | null }): string | undefined {
  const id = args.filter?.projectId;
  if (id === null || id === undefined) return undefined;
  if (!args.allProjects) throw new InputError('filter.projectId needs allProjects: true (a listing without it holds your own project only).');
  // Keystone project ids are 32 hex digits (a UUID without dashes); Cinder's project_id_regex allows dashes too.
  if (!/^[0-9A-Fa-f-]{1,64}$/.test(id)) throw new InputError(`Invalid projectId ${JSON.stringify(id.slice(0, 40))}: project ids are hex digits.`);
  return id;
}
