import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { DEMO_TEAMS, type TeamRecord } from './data.js';

/** The example subgraph's SDL: composed with groupgraph's into the supergraph the router serves. */
export const OWNERSHIP_SDL = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

/**
 * "ownership": a company's own subgraph that links its teams to groupgraph's groups. It only knows group ids;
 * every other Group field comes from groupgraph through the router.
 */
export function ownershipResolvers(teams: TeamRecord[]) {
  const byId = new Map(teams.map((t) => [t.id, t]));
  const ownerOf = new Map(teams.flatMap((t) => t.groupIds.map((g) => [g, t] as const)));
  return {
    Query: {
      teams: () => teams,
      team: (_: unknown, { id }: { id: string }) => byId.get(id) ?? null,
    },
    Team: {
      __resolveReference: (ref: { id: string }) => byId.get(ref.id) ?? null,
      groups: (t: TeamRecord) => t.groupIds.map((id) => ({ id })),
    },
    Group: {
      owner: (g: { id: string }) => ownerOf.get(g.id) ?? null,
    },
  };
}

export interface RunningOwnership {
  url: string;
  stop(): Promise<void>;
}

/** Serves the subgraph on `host:port` (port 0: any free port); its endpoint is `url`. */
export async function startOwnershipSubgraph(port = 0, host = '127.0.0.1', teams = DEMO_TEAMS): Promise<RunningOwnership> {
  const schema = buildSubgraphSchema({ typeDefs: parse(OWNERSHIP_SDL), resolvers: ownershipResolvers(teams) as never });
  const server = new ApolloServer({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port, host } });
  return { url, stop: () => server.stop() };
}

// `npx tsx examples/ownership/server.ts` serves it on PORT (default 4100).
if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startOwnershipSubgraph(Number(process.env.PORT ?? 4100), process.env.HOST ?? '127.0.0.1');
  console.log(`ownership subgraph at ${running.url}`);
}
