import { InputError } from '../errors.js';
import { ENTITIES } from './entities.js';

/**
 * The most representations one operation may carry, over all its `_entities` fields (aliases would multiply a cap
 * per field). A router sends one call per subgraph fetch with every reference of the plan step in it: 1000 is ten
 * pages of 100 groups, and far past what one screen joins.
 */
export const MAX_REPRESENTATIONS = 1000;

/**
 * Checks one `_entities(representations:)` before anything runs (the cost guard calls this): a list of objects (one
 * object counts as a list of one), each naming an entity type of this subgraph, at most MAX_REPRESENTATIONS with the
 * `others` the operation's other `_entities` fields hold. Returns how many there are. Anything else is
 * BAD_USER_INPUT for the whole operation. Ids are checked per representation as each is resolved (entities.ts): a
 * router merges several fetches into one operation, and one foreign id must not null every other reference.
 */
export function checkRepresentations(value: unknown, others = 0): number {
  if (value === undefined || value === null) throw new InputError('"representations" must be a list of objects with __typename and id.');
  // GraphQL input coercion makes a value that is not a list a list of one: the executor will see `[value]`.
  const list = Array.isArray(value) ? value : [value];
  const total = others + list.length;
  if (total > MAX_REPRESENTATIONS) {
    throw new InputError(
      `"representations" holds ${total} items; at most ${MAX_REPRESENTATIONS} are resolved in one operation (counted over every _entities field, aliases included).`,
    );
  }
  list.forEach(checkOne);
  return list.length;
}

function checkOne(rep: unknown, index: number): void {
  if (rep === null || typeof rep !== 'object' || Array.isArray(rep)) {
    throw new InputError(`representations[${index}] must be an object with __typename and id.`);
  }
  const { __typename: typename } = rep as Record<string, unknown>;
  const kind = typeof typename === 'string' && Object.hasOwn(ENTITIES, typename) ? ENTITIES[typename] : undefined;
  if (!kind) {
    const known = Object.keys(ENTITIES).join(', ');
    throw new InputError(`representations[${index}].__typename must name an entity of this subgraph (${known}).`);
  }
}
