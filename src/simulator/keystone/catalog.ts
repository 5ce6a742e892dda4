// The service catalog of a project-scoped token (catalog/backends/sql.py get_v3_catalog): one entry per service,
// its endpoints with `%(project_id)s` filled in (format_url), in every configured region.
import { createHash } from 'node:crypto';

/** Public endpoint templates of the simulated services, e.g. `http://127.0.0.1:8776/v3/%(project_id)s`. */
export interface ServiceEndpoints {
  cinder?: string;
  manila?: string;
  sdrs?: string;
}

export interface CatalogRegion {
  id: string;
  endpoints: ServiceEndpoints;
}

/** Service types as the facade looks them up (block-storage, shared-file-system, sdrs) and their names. */
const SERVICES: { key: keyof ServiceEndpoints; type: string; name: string }[] = [
  { key: 'cinder', type: 'block-storage', name: 'cinder' },
  { key: 'manila', type: 'shared-file-system', name: 'manila' },
  { key: 'sdrs', type: 'sdrs', name: 'sdrs' },
];

const stableId = (label: string) => createHash('md5').update(label).digest('hex');

/** Keystone's format_url substitutes `%(project_id)s` and `%(tenant_id)s`; `{project_id}` is accepted too. */
export function fillTemplate(url: string, projectId: string): string {
  return url
    .replaceAll('%(project_id)s', projectId)
    .replaceAll('%(tenant_id)s', projectId)
    .replaceAll('$(project_id)s', projectId)
    .replaceAll('{project_id}', projectId);
}

export function catalogFor(regions: CatalogRegion[], projectId: string): unknown[] {
  const out: unknown[] = [];
  for (const svc of SERVICES) {
    const endpoints = regions
      .filter((r) => r.endpoints[svc.key] !== undefined)
      .map((r) => ({
        id: stableId(`endpoint:${svc.key}:${r.id}`),
        interface: 'public',
        region_id: r.id,
        url: fillTemplate(r.endpoints[svc.key] as string, projectId),
        region: r.id,
      }));
    // A service without a template is not registered at all, so it is absent (a registered service without
    // endpoints would still be listed, with `endpoints: []`: bug 1436704).
    if (endpoints.length > 0) out.push({ endpoints, id: stableId(`service:${svc.key}`), type: svc.type, name: svc.name });
  }
  return out;
}
