import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, GraphQLError, Kind, type SelectionSetNode } from 'graphql';
import { TOO_MANY_REPEATS } from './errors.js';

/**
 * The most pairs of fields answering at the same response path an operation may hold (fragments spread in).
 * graphql-js's OverlappingFieldsCanBeMergedRule compares each such pair, within a budget that a 8 KB document (one
 * field repeated 450 times, under the token limit) used up in 80-150 ms of event loop, valid or not: 16 connections
 * of them held every other caller for seconds. A portal's documents hold a few hundred (`id`, `__typename` in each
 * fragment of one selection).
 */
export const MAX_REPEATED_FIELD_PAIRS = 10_000;

/** The most fields visited with fragments spread in: an exponential nesting of spreads is refused, not walked. */
const MAX_FIELDS_WALKED = 50_000;

/**
 * Whether an operation of `document` holds more than `max` pairs of fields at one response path, or more fields than
 * can be walked. Paths are nodes of a tree numbered as they are met, keyed by the AST's own name strings (V8 keeps
 * their hashes): nothing is built per path, and each visit costs a map lookup.
 */
export function repeatsTooMuch(document: DocumentNode, max = MAX_REPEATED_FIELD_PAIRS): boolean {
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  let walked = 0;
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const tree = new PathTree();
    const visiting = new Set<string>();
    const over = (set: SelectionSetNode, node: number): boolean => {
      for (const s of set.selections) {
        if (++walked > MAX_FIELDS_WALKED || tree.pairs > max) return true;
        if (s.kind === Kind.FIELD) {
          const child = tree.visit(node, s.alias?.value ?? s.name.value);
          if (s.selectionSet && over(s.selectionSet, child)) return true;
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          if (over(s.selectionSet, node)) return true;
        } else {
          const spread = fragments.get(s.name.value);
          // An unknown or cyclic spread: validation refuses it, at no great cost.
          if (!spread || visiting.has(s.name.value)) continue;
          visiting.add(s.name.value);
          const refused = over(spread, node);
          visiting.delete(s.name.value);
          if (refused) return true;
        }
      }
      return false;
    };
    if (over(d.selectionSet, 0) || tree.pairs > max) return true;
  }
  return false;
}

/** Response paths as numbered nodes; each visit of a path makes a pair with every earlier visit of it. */
class PathTree {
  pairs = 0;
  private readonly visits: number[] = [0];
  private readonly children: (Map<string, number> | undefined)[] = [undefined];

  /** The node of `name` under `parent`, counted once more. */
  visit(parent: number, name: string): number {
    const under = (this.children[parent] ??= new Map());
    let node = under.get(name);
    if (node === undefined) {
      node = this.visits.length;
      this.visits.push(0);
      this.children.push(undefined);
      under.set(name, node);
    }
    this.pairs += this.visits[node]!++;
    return node;
  }
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
