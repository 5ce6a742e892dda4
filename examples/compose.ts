import { writeFileSync } from 'node:fs';
import { composeServices, compositionHasErrors } from '@theguild/federation-composition';
import { parse } from 'graphql';

export interface SubgraphSource {
  name: string;
  /** Where the router sends this subgraph's fetches. */
  url: string;
  sdl: string;
}

/**
 * Composes subgraphs into a supergraph SDL (what Hive Gateway, Apollo Router or Cosmo serve), or throws with every
 * composition error. @theguild/federation-composition has the rules and messages of @apollo/composition.
 */
export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (compositionHasErrors(result)) {
    throw new Error(`composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

// `npx tsx examples/compose.ts [groupgraph url] [ownership url] [out]` composes the two subgraphs' SDL (groupgraph's
// from schema/*.graphql, as `_service { sdl }` answers it) into examples/supergraph.graphql for `hive-gateway supergraph`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { buildSchema } = await import('../src/schema.js');
  const { subgraphSdl } = await import('../src/federation/subgraph.js');
  const { OWNERSHIP_SDL } = await import('./ownership/server.js');
  const [groupgraph = 'http://127.0.0.1:8080/graphql', ownership = 'http://127.0.0.1:4100/', out = 'examples/supergraph.graphql'] =
    process.argv.slice(2);
  const supergraph = composeSupergraph([
    { name: 'groupgraph', url: groupgraph, sdl: subgraphSdl(buildSchema()) },
    { name: 'ownership', url: ownership, sdl: OWNERSHIP_SDL },
  ]);
  writeFileSync(out, supergraph);
  console.log(`supergraph written to ${out}`);
}
