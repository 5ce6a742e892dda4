// Every package a deployment installs (package-lock.json without dev packages) runs on the Node versions the
// facade promises: its own `engines` floor, 22 and 24. A transitive package moving to `node >= 22` fails here.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  os?: string[];
  engines?: { node?: string } | string[];
}

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
const manifest = read('package.json') as { engines: { node: string } };
const lock = read('package-lock.json') as { packages: Record<string, LockedPackage> };

const floor = semver.minVersion(manifest.engines.node)!.version;
const supported = [floor, '22.12.0', '24.0.0'];

/** Installed by `npm ci --omit=dev`: not dev-only, and not an optional binary for another platform. */
const production = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.devOptional && !(p.optional && p.os));

function refusedVersions(p: LockedPackage): string[] {
  const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
  return range ? supported.filter((v) => !semver.satisfies(v, range)) : [];
}

describe('production dependencies and the supported Node versions', () => {
  it('reads a lockfile with the production tree in it', () => {
    expect(production.map(([path]) => path)).toContain('node_modules/@apollo/server');
  });

  it(`every production package admits Node ${supported.join(', ')}`, () => {
    const refusing = production
      .map(([path, p]) => ({ path, version: p.version, node: (p.engines as { node?: string } | undefined)?.node, refuses: refusedVersions(p) }))
      .filter((p) => p.refuses.length > 0);
    expect(refusing).toEqual([]);
  });
});
