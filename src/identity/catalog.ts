import type { ServiceName } from '../errors.js';
import { isObject, textOf } from '../upstreams/wire.js';

/** One entry of a Keystone v3 token's `catalog`, as the wire has it. */
export interface KeystoneCatalogEntry {
  type: string;
  name?: string;
  id?: string;
  endpoints: { id?: string; interface: string; region?: string | null; region_id?: string | null; url: string }[];
}

/** Service types per upstream, in the order they are looked for (the first with an endpoint of the chosen interface and region wins). */
export const CATALOG_TYPES: Record<ServiceName, readonly string[]> = {
  cinder: ['block-storage', 'volumev3', 'volume'],
  manila: ['shared-file-system', 'sharev2'],
  sdrs: ['sdrs'],
};

export interface CatalogChoice {
  interface: string;
  /** KEYSTONE_REGION; null: the catalog must offer a single region for the service. */
  region: string | null;
}

/** An endpoint, or why there is none; the message is what the service's fields answer (UPSTREAM_UNAVAILABLE). */
export type CatalogPick = { ok: true; url: string; type: string } | { ok: false; message: string };


/**
 * A token's catalog as the wire had it, keeping only entries and endpoints of the documented shape: a Keystone
 * (or a proxy) answering something else must cost the caller that service, not the whole request a 500.
 */
export function catalogOf(raw: unknown): KeystoneCatalogEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: KeystoneCatalogEntry[] = [];
  for (const entry of raw) {
    if (!isObject(entry) || typeof entry.type !== 'string' || !Array.isArray(entry.endpoints)) continue;
    const endpoints = entry.endpoints
      .filter((e): e is Record<string, unknown> => isObject(e) && typeof e.interface === 'string' && typeof e.url === 'string')
      .map((e) => ({ id: textOf(e.id), interface: e.interface as string, region: textOf(e.region) ?? null, region_id: textOf(e.region_id) ?? null, url: e.url as string }));
    out.push({ type: entry.type, name: textOf(entry.name), id: textOf(entry.id), endpoints });
  }
  return out;
}

const regionOf = (e: KeystoneCatalogEntry['endpoints'][number]) => e.region_id ?? e.region ?? '';

/**
 * The catalog entry pickEndpoint reads for `service`: the first of its types (in order, each entry of a type) with an
 * endpoint of the chosen interface and region for the facade's API version; else the first present, as before.
 */
function serviceEntry(catalog: readonly KeystoneCatalogEntry[], service: ServiceName, choice: CatalogChoice): KeystoneCatalogEntry | undefined {
  const entries = CATALOG_TYPES[service].flatMap((t) => catalog.filter((c) => c.type === t));
  const fits = (e: KeystoneCatalogEntry['endpoints'][number]) =>
    e.interface === choice.interface && (choice.region === null || regionOf(e) === choice.region) && ofApiVersion(service, e.url);
  return entries.find((c) => c.endpoints.some(fits)) ?? entries[0];
}

/** The path segment of the API version the facade speaks to each service (config.ts checks `*_URL` by it too). */
export const API_VERSION_SEGMENTS: Record<ServiceName, RegExp> = { cinder: /^v3(\.\d+)?$/, manila: /^v2(\.\d+)?$/, sdrs: /^v1(\.\d+)?$/ };

/** An endpoint URL naming no API version (`…/volume`) or the one the facade speaks. */
function ofApiVersion(service: ServiceName, url: string): boolean {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  const versions = path.split('/').filter((s) => /^v\d+(\.\d+)?$/.test(s));
  // An endpoint naming another (the `volume` type's Cinder v2) is no match.
  return versions.every((v) => API_VERSION_SEGMENTS[service].test(v));
}

/** Regions for a message: a catalog may list thousands, and the message is every field's error. */
function regionList(regions: readonly string[]): string {
  const shown = regions.slice(0, 10).join(', ');
  return regions.length > 10 ? `${shown} and ${regions.length - 10} more` : shown;
}

/**
 * What pickEndpoint reads of a catalog for `choice`, and so all a cached token keeps: per service, its entry's
 * endpoints of the chosen interface, the first of each region (the one picked; the others only name regions).
 * A public cloud's catalog is 100-300 KB, and a Keystone listing 5,000 services ran the facade out of memory.
 */
export function catalogFor(catalog: readonly KeystoneCatalogEntry[], choice: CatalogChoice): KeystoneCatalogEntry[] {
  const kept: KeystoneCatalogEntry[] = [];
  for (const service of Object.keys(CATALOG_TYPES) as ServiceName[]) {
    const entry = serviceEntry(catalog, service, choice);
    if (entry) kept.push({ type: entry.type, endpoints: firstOfEachRegion(entry.endpoints.filter((e) => e.interface === choice.interface)) });
  }
  return kept;
}

function firstOfEachRegion(endpoints: KeystoneCatalogEntry['endpoints']): KeystoneCatalogEntry['endpoints'] {
  const byRegion = new Map<string, KeystoneCatalogEntry['endpoints'][number]>();
  for (const e of endpoints) if (!byRegion.has(regionOf(e))) byRegion.set(regionOf(e), e);
  return [...byRegion.values()];
}

/** An endpoint URL the facade can call: http or https. */
function callable(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol } = new URL(url);
  return protocol === 'http:' || protocol === 'https:';
}

/**
 * The endpoint of `service` in a caller's catalog: the first service type with an endpoint of the chosen interface
 * (and region), that endpoint. With several regions and none chosen the answer names them, never a silent pick.
 */
export function pickEndpoint(catalog: readonly KeystoneCatalogEntry[], service: ServiceName, choice: CatalogChoice): CatalogPick {
  const types = CATALOG_TYPES[service];
  const entry = serviceEntry(catalog, service, choice);
  if (!entry) {
    return { ok: false, message: `The caller's service catalog has no ${service} service (looked for type ${types.join(', ')}).` };
  }
  const ofInterface = entry.endpoints.filter((e) => e.interface === choice.interface);
  if (ofInterface.length === 0) {
    return { ok: false, message: `The catalog's ${entry.type} service has no ${choice.interface} endpoint (KEYSTONE_INTERFACE).` };
  }
  if (choice.region !== null) {
    const inRegion = ofInterface.find((e) => regionOf(e) === choice.region);
    if (!inRegion) {
      const offered = regionList([...new Set(ofInterface.map(regionOf))]);
      return { ok: false, message: `The catalog's ${entry.type} service has no ${choice.interface} endpoint in region ${choice.region} (it has: ${offered}).` };
    }
    return chosen(entry.type, choice.interface, inRegion.url);
  }
  const regions = [...new Set(ofInterface.map(regionOf))];
  if (regions.length > 1) {
    return {
      ok: false,
      message: `The catalog's ${entry.type} service has ${choice.interface} endpoints in several regions (${regionList(regions)}); set KEYSTONE_REGION to choose one.`,
    };
  }
  return chosen(entry.type, choice.interface, ofInterface[0]!.url);
}

function chosen(type: string, iface: string, url: string): CatalogPick {
  if (callable(url)) return { ok: true, url, type };
  return { ok: false, message: `The catalog's ${type} service lists its ${iface} endpoint at ${JSON.stringify(url.slice(0, 80))}, which is not an http(s) URL.` };
}

/** A configured `*_URL` with `{project_id}` filled (pathSegmentOf the token's project); null when it needs a project and has none. */
export function fillProject(template: string, projectSegment: string | null): string | null {
  if (!template.includes('{project_id}')) return template;
  return projectSegment ? template.split('{project_id}').join(projectSegment) : null;
}

/** A project id as one path segment; null when none can be: `.` and `..` would move the path, a lone surrogate has no UTF-8. */
export function pathSegmentOf(projectId: string): string | null {
  if (projectId === '.' || projectId === '..') return null;
  try {
    return encodeURIComponent(projectId);
  } catch {
    return null;
  }
}

/**
 * The project a fixed endpoint URL serves: the path segment after its version (`…/v3/<project>`,
 * `…/share/v2/<project>`); null when the URL names none (Cinder 3.67's project-less `…/v3`).
 */
export function projectOfUrl(url: string): string | null {
  const segments = new URL(url).pathname.split('/').filter(Boolean);
  let version = -1;
  segments.forEach((s, i) => {
    if (/^v\d+(\.\d+)?$/.test(s)) version = i;
  });
  const project = version >= 0 ? segments[version + 1] : undefined;
  return project ? decoded(project) : null;
}

/** A path segment decoded; one that is no valid percent-encoding is taken as written, never a 500 per request. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
