import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { TOO_MANY_REPEATS } from './errors.js';

/**
 * The most pairs of fields answering at one response path a document may hold. graphql-js's
 * OverlappingFieldsCanBeMergedRule compares each such pair, within a budget that a 8 KB document (one field
 * repeated 450 times, under the token limit) used up in 80-150 ms of event loop, valid or not: 16 connections of
 * them held every other caller for seconds. A portal's documents hold a few hundred at most (`id`, `__typename` in
 * every fragment of one selection); 5,000 is checked in about a millisecond.
 */
export const MAX_REPEATED_FIELD_PAIRS = 5_000;

// Paths counted while spreading fragments: an exponential nesting of them is refused before it is walked.
const MAX_PATH_WORK = 100_000;

/**
 * Whether `document` holds more pairs of fields at one response path (fragments spread in, each fragment's paths
 * counted once and added where it is spread) than `max`, or too many paths to count them.
 */
export function repeatsTooMuch(document: DocumentNode, max = MAX_REPEATED_FIELD_PAIRS): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, Map<string, number>>();
  let work = 0;
  const add = (into: Map<string, number>, path: string, n: number) => {
    work++;
    into.set(path, (into.get(path) ?? 0) + n);
  };
  const fragmentPaths = (name: string, visiting: Set<string>): Map<string, number> => {
    const known = memo.get(name);
    if (known) return known;
    const def = fragments.get(name);
    // An unknown or cyclic spread: validation refuses it, at no great cost.
    if (!def || visiting.has(name)) return new Map();
    visiting.add(name);
    const paths = new Map<string, number>();
    walk(def.selectionSet, paths, '', visiting);
    visiting.delete(name);
    memo.set(name, paths);
    return paths;
  };
  const walk = (set: SelectionSetNode, into: Map<string, number>, prefix: string, visiting: Set<string>): void => {
    for (const s of set.selections) {
      if (work > MAX_PATH_WORK) return;
      if (s.kind === Kind.FIELD) {
        const path = `${prefix}.${s.alias?.value ?? s.name.value}`;
        add(into, path, 1);
        if (s.selectionSet) walk(s.selectionSet, into, path, visiting);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        walk(s.selectionSet, into, prefix, visiting);
      } else {
        for (const [path, n] of fragmentPaths(s.name.value, visiting)) add(into, prefix + path, n);
      }
    }
  };
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const paths = new Map<string, number>();
    walk(d.selectionSet, paths, '', new Set());
    if (work > MAX_PATH_WORK) return true;
    let pairs = 0;
    for (const n of paths.values()) pairs += (n * (n - 1)) / 2;
    if (pairs > max) return true;
  }
  return false;
}

/** The refusal of such a document, as graphql-js's own when its budget runs out (GRAPHQL_VALIDATION_FAILED, 400). */
export function tooManyRepeats(): GraphQLError {
  return new GraphQLError(TOO_MANY_REPEATS, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });
}

/** Checks each document Apollo parses (a cached one was checked when it was first parsed) before it validates it. */
export function repeatsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async validationDidStart(rc) {
          if (repeatsTooMuch(rc.document)) throw tooManyRepeats();
        },
      };
    },
  };
}
