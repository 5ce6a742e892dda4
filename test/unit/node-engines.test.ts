// Every package of the lockfile declares the Node versions the facade promises: its own `engines` floor, 22 and 24.
// Those a deployment installs (`npm ci --omit=dev`) and those `npm test` needs are checked apart, so a transitive
// package moving to `node >= 22` fails here and says on which side.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  engines?: { node?: string } | string[];
}

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));
const manifest = read('package.json') as { engines: { node: string } };
const lock = read('package-lock.json') as { packages: Record<string, LockedPackage> };

const floor = semver.minVersion(manifest.engines.node)!.version;
// 22.12: the 22 release packages name as their floor there (require(esm) without a flag).
const supported = [floor, '22.12.0', '24.0.0'];

// Platform binaries (optional, with `os`) are checked too: each is installed somewhere, on its own platform.
const installed = Object.entries(lock.packages).filter(([path]) => path !== '');
/** Installed by `npm ci --omit=dev` too. */
const production = installed.filter(([, p]) => !p.dev && !p.devOptional);
const development = installed.filter(([, p]) => p.dev || p.devOptional);

function refusing(packages: [string, LockedPackage][]) {
  return packages
    .map(([path, p]) => ({ path, version: p.version, node: Array.isArray(p.engines) ? undefined : p.engines?.node }))
    .map((p) => ({ ...p, refuses: p.node ? supported.filter((v) => !semver.satisfies(v, p.node!)) : [] }))
    .filter((p) => p.refuses.length > 0);
}

describe('dependencies and the supported Node versions', () => {
  it('reads a lockfile with both trees in it', () => {
    expect(production.map(([path]) => path)).toContain('node_modules/@apollo/server');
    expect(development.map(([path]) => path)).toContain('node_modules/vitest');
  });

  it(`every production package admits Node ${supported.join(', ')}`, () => {
    expect(refusing(production)).toEqual([]);
  });

  it(`every package npm test installs admits Node ${supported.join(', ')}`, () => {
    expect(refusing(development)).toEqual([]);
  });
});
