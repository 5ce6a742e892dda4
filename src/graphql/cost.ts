import {
  type ArgumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type VariableDefinitionNode,
  Kind,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
} from 'graphql';
import { InputError } from '../errors.js';
import { checkRepresentations } from '../federation/representations.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, checkCursor } from './connections.js';

/**
 * The cost of a query is the most objects its answer can hold, counted before anything runs:
 * - a connection field (it takes `first`) holds `first` nodes (and as many edges), whether `first` is a literal, a
 *   variable or left at its default;
 * - a plain list of objects (e.g. `Group.volumes`) holds its estimate from LIST_ESTIMATES (DEFAULT_LIST_ESTIMATE when
 *   unlisted): those lists are not paged upstream either;
 * - every object counts 1, and nested lists multiply.
 * Introspection (`__schema`, `__type`) is bounded by the schema and the depth limit and is not counted.
 */
// A group holds a handful of volumes or shares (a database's data and log volumes, say); lists are not paged.
export const DEFAULT_LIST_ESTIMATE = 10;

/** Plain lists whose size is known better than the default (per "Type.field"); see README, Limits. */
export const LIST_ESTIMATES: Record<string, number> = {
  'Query.groupTypes': 50,
  'Query.shareGroupTypes': 50,
  'Query.shareTypes': 50,
  'Query.volumeTypes': 50,
  'Query.availabilityZones': 10,
  // A protected server has a few disks, each one replication pair.
  'ProtectedInstance.attachments': 5,
  'ProtectedInstance.replicationPairs': 5,
  'GroupType.groupSpecs': 10,
  'VolumeType.extraSpecs': 10,
  'ShareType.extraSpecs': 10,
  'ShareGroupType.groupSpecs': 10,
  'About.services': 3,
  // A group or share group is made of a handful of types; replication has one or two targets.
  'Group.volumeTypes': 5,
  'Group.replicationTargets': 5,
  'ShareGroup.shareTypes': 5,
  'ShareGroupType.shareTypes': 5,
  'ConsistencyGroup.shareTypes': 5,
  'ShareNetwork.subnets': 5,
};

export interface Cost {
  nodes: number;
  limit: number;
}

export class QueryTooLarge extends GraphQLError {
  constructor(readonly cost: Cost) {
    super(
      `This query could return up to ${cost.nodes.toLocaleString('en-US')} objects; the limit is ` +
        `${cost.limit.toLocaleString('en-US')} (GRAPHQL_MAX_NODES). Ask for smaller pages (first) or fewer nested lists.`,
      { extensions: { code: 'QUERY_TOO_LARGE', cost, http: { status: 400 } } },
    );
  }
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  variableDefs: Map<string, VariableDefinitionNode>;
  /** Fragment names being expanded (a cycle is a validation error; never loop on one). */
  expanding: Set<string>;
  /** Representations per `_entities` response key: fields of one key merge into one execution, so count once. */
  representations: Map<string, number>;
  /**
   * Each fragment's cost per page size, counted once: a fragment spread k times in each of L nested fragments
   * is k^L spreads, and walking each one took minutes of blocked event loop for a 70 KB document.
   */
  fragmentCosts: Map<string, number>;
}

/**
 * Counts the objects the operation's answer can hold and checks every `first` and `after` on the way, so a bad
 * nested page size or cursor is refused before the parent's upstream call. Throws InputError for those.
 */
export function countNodes(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): number {
  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  if (!root) return 0;
  const walk: Walk = {
    schema,
    fragments,
    variables: variables ?? {},
    variableDefs: new Map((operation.variableDefinitions ?? []).map((d) => [d.variable.name.value, d])),
    expanding: new Set(),
    representations: new Map(),
    fragmentCosts: new Map(),
  };
  return selectionCost(walk, root, operation.selectionSet, 1);
}

/** Objects below one object of `parent` type; `pageSize` is the page of the connection `parent` is, if any. */
function selectionCost(walk: Walk, parent: GraphQLCompositeType, set: SelectionSetNode, pageSize: number): number {
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      total += fieldCost(walk, parent, sel, pageSize);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const on = sel.typeCondition ? walk.schema.getType(sel.typeCondition.name.value) : parent;
      if (on && isCompositeType(on)) total += selectionCost(walk, on, sel.selectionSet, pageSize);
    } else {
      total += fragmentCost(walk, sel.name.value, pageSize);
    }
  }
  return total;
}

/** A spread fragment's objects below one object, for the page `pageSize` (counted once per walk and page size). */
function fragmentCost(walk: Walk, name: string, pageSize: number): number {
  const key = `${pageSize} ${name}`;
  const known = walk.fragmentCosts.get(key);
  if (known !== undefined) return known;
  const frag = walk.fragments[name];
  if (!frag || walk.expanding.has(name)) return 0;
  const on = walk.schema.getType(frag.typeCondition.name.value);
  if (!on || !isCompositeType(on)) return 0;
  walk.expanding.add(name);
  const cost = selectionCost(walk, on, frag.selectionSet, pageSize);
  walk.expanding.delete(name);
  walk.fragmentCosts.set(key, cost);
  return cost;
}

function fieldCost(walk: Walk, parent: GraphQLCompositeType, node: FieldNode, pageSize: number): number {
  const name = node.name.value;
  if (name.startsWith('__') || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
  const field = parent.getFields()[name];
  if (!field || !node.selectionSet) return 0;
  const type = getNamedType(field.type);
  if (!isCompositeType(type)) return 0;
  if (name === '_entities' && parent === walk.schema.getQueryType()) return entitiesCost(walk, node, type, pageSize);
  const childPage = type.name.endsWith('Connection') ? connectionPage(walk, `${parent.name}.${name}`, field, node) : pageSize;
  const each = 1 + selectionCost(walk, type, node.selectionSet, childPage);
  return listSize(parent, field, pageSize) * each;
}

/**
 * A router's `_entities`: each representation is one object (checked here: types, ids, and the count over the
 * operation's other `_entities` fields) with its selection.
 */
function entitiesCost(walk: Walk, node: FieldNode, type: GraphQLCompositeType, pageSize: number): number {
  const arg = node.arguments?.find((a) => a.name.value === 'representations');
  const representations = arg ? valueFromASTUntyped(arg.value, walk.variables) : undefined;
  const key = node.alias?.value ?? node.name.value;
  let others = 0;
  for (const [k, n] of walk.representations) if (k !== key) others += n;
  const count = checkRepresentations(representations, others);
  walk.representations.set(key, count);
  // Each is charged its own type's selection, not every type's fragments: a router's fetch may mix types.
  let total = 0;
  for (const [typename, n] of typeCounts(representations)) {
    const object = walk.schema.getType(typename);
    total += n * (1 + (isObjectType(object) ? entitySelectionCost(walk, object, node.selectionSet!, pageSize) : selectionCost(walk, type, node.selectionSet!, pageSize)));
  }
  return total;
}

/** How many representations name each type (checkRepresentations has made sure each is an object naming one). */
function typeCounts(representations: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  for (const rep of Array.isArray(representations) ? representations : [representations]) {
    const typename = String((rep as { __typename?: unknown }).__typename);
    counts.set(typename, (counts.get(typename) ?? 0) + 1);
  }
  return counts;
}

/** The objects below one `object` of an `_entities` answer: only the fragments that apply to its type. */
function entitySelectionCost(walk: Walk, object: GraphQLObjectType, set: SelectionSetNode, pageSize: number): number {
  const applies = (condition: string | undefined) => {
    const on = condition === undefined ? object : walk.schema.getType(condition);
    return on === object || (isAbstractType(on) && walk.schema.isSubType(on, object));
  };
  let total = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) total += fieldCost(walk, object, sel, pageSize);
    else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (applies(sel.typeCondition?.name.value)) total += selectionCost(walk, object, sel.selectionSet, pageSize);
    } else if (applies(walk.fragments[sel.name.value]?.typeCondition.name.value ?? '')) total += fragmentCost(walk, sel.name.value, pageSize);
  }
  return total;
}

/** How many items a list field holds (1 for a field that is not a list). */
function listSize(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>, pageSize: number): number {
  let size = 1;
  let type = getNullableType(field.type);
  while (isListType(type)) {
    // A connection's nodes and edges hold its page; any other list its estimate.
    const page = parent.name.endsWith('Connection') && (field.name === 'nodes' || field.name === 'edges');
    size *= page ? pageSize : (LIST_ESTIMATES[`${parent.name}.${field.name}`] ?? DEFAULT_LIST_ESTIMATE);
    type = getNullableType(type.ofType);
  }
  return size;
}

/**
 * Nested connections whose paging takes one kind of cursor only: a cursor of the other kind is refused here, before
 * the parent's read, not by the child's resolver after it. Top-level fields check theirs before any call anyway.
 */
const CURSOR_KINDS: Record<string, 'marker' | 'offset'> = {
  'Group.snapshots': 'marker',
  'ShareGroup.snapshots': 'offset',
  'ProtectionGroup.protectedInstances': 'offset',
  'ProtectionGroup.replicationPairs': 'offset',
  'ProtectionGroup.drills': 'offset',
};

/** The page a connection field will read: its `first` (checked here), else its default. Checks `after` too. */
function connectionPage(walk: Walk, at: string, field: GraphQLField<unknown, unknown>, node: FieldNode): number {
  const after = argumentValue(walk, field, node.arguments, 'after');
  if (typeof after === 'string') checkCursor(after, CURSOR_KINDS[at]);
  const first = argumentValue(walk, field, node.arguments, 'first');
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  // Not a number: variable coercion refuses it before anything runs; count the default meanwhile.
  if (typeof first !== 'number') return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new InputError(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${first} (field ${field.name}).`);
  }
  // `first: 0` shows none but reads items (emptyPages.ts): counted as one.
  return Math.max(first, 1);
}

/** An argument's value as execution will see it: literal, variable (or the variable's default), or the field's default. */
function argumentValue(walk: Walk, field: GraphQLField<unknown, unknown>, args: readonly ArgumentNode[] | undefined, name: string): unknown {
  const arg = args?.find((a) => a.name.value === name);
  if (arg) {
    const value = literal(walk, arg.value);
    if (value !== undefined) return value;
  }
  return field.args.find((a) => a.name === name)?.defaultValue;
}

function literal(walk: Walk, value: ValueNode): unknown {
  switch (value.kind) {
    case Kind.VARIABLE: {
      const name = value.name.value;
      if (name in walk.variables) return walk.variables[name];
      const def = walk.variableDefs.get(name)?.defaultValue;
      return def ? literal(walk, def) : undefined;
    }
    case Kind.INT:
      return Number(value.value);
    case Kind.FLOAT:
      return Number(value.value);
    case Kind.STRING:
      return value.value;
    case Kind.NULL:
      return null;
    default:
      return undefined;
  }
}
