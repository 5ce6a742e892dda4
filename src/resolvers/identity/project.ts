import type { RequestContext } from '../../context.js';
import type { ProjectRef } from '../../identity/keystone.js';

/**
 * The project an object belongs to: the upstream's `project_id` when it shows one (Cinder only to admins, from
 * 3.58), else the caller's own project, the only one a listing without allProjects can hold.
 */
export function projectIdOf(o: { project_id?: string | null }, ctx: RequestContext): string | null {
  return o.project_id ?? ctx.identity?.project?.id ?? null;
}

/** `project { id name }`: one batched Keystone read per request at most (see createProjectLoader). */
export function projectOf(o: { project_id?: string | null }, ctx: RequestContext): Promise<ProjectRef | null> | null {
  const id = projectIdOf(o, ctx);
  return id ? ctx.projects().load(id) : null;
}
