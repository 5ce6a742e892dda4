import {
  type ArgumentNode,
  type DirectiveNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { InputError } from '../errors.js';

/**
 * The longest string a request may carry, in characters (Unicode code points): what Cinder and Manila accept for a
 * name or a description (Cinder's request schemas and Manila's columns: 255). Ids, cursors and filters are shorter.
 * SDRS is stricter for its own names and descriptions (64 bytes) and says so itself with a 400.
 */
export const MAX_STRING_LENGTH = 255;

/** Lists and input objects nest a few levels in this schema; anything deeper is refused, not recursed into. */
export const MAX_INPUT_DEPTH = 32;

// One test tells the common case (short, plain) from anything worth a closer look: a control character (C0 or DEL:
// a NUL in a filter made real Cinder answer 500) or a surrogate (a lone one is not valid UTF-8 upstream).
const SUSPECT = /[\u0000-\u001f\u007f\ud800-\udfff]/;

type Path = (string | number)[];

/** Where a refused string is: `$in.addVolumeIds[1]`, `groups(filter.name)`, `@d(s)`. */
class Place {
  constructor(
    private readonly head: string,
    private readonly inArguments: boolean,
  ) {}

  describe(path: Path): string {
    let s = '';
    for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
    return this.inArguments ? `Argument ${this.head}(${s})` : `Variable ${this.head}${s === '' ? '' : s.startsWith('[') ? s : `.${s}`}`;
  }
}

/** What is wrong with a string that looked suspect, or null: one pass, control characters first. */
function problemWith(s: string): string | null {
  let characters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      const code = c.toString(16).toUpperCase().padStart(4, '0');
      return `contains a control character U+${code}; no string may contain control characters (U+0000-U+001F, U+007F).`;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return 'contains a lone surrogate; strings must be well-formed Unicode.';
      i++; // a pair is one character
    }
    characters++;
  }
  return characters > MAX_STRING_LENGTH
    ? `is ${characters} characters long; strings may be at most ${MAX_STRING_LENGTH} characters.`
    : null;
}

function checkString(s: string, place: Place, path: Path): void {
  // The common case costs one length compare and one regex test; anything else is looked at closely (a string
  // over the limit in UTF-16 units may still be within it in characters).
  if (s.length <= MAX_STRING_LENGTH && !SUSPECT.test(s)) return;
  const problem = problemWith(s);
  if (problem !== null) throw new InputError(`${place.describe(path)} ${problem}`);
}

function tooDeep(place: Place, path: Path): never {
  throw new InputError(`${place.describe(path)} is nested more than ${MAX_INPUT_DEPTH} levels deep.`);
}

/** A variable's value as JSON gave it: strings at any depth of objects and lists. */
function checkJson(v: unknown, place: Place, path: Path): void {
  if (typeof v === 'string') return checkString(v, place, path);
  if (v === null || typeof v !== 'object') return;
  if (path.length >= MAX_INPUT_DEPTH) tooDeep(place, path);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      path.push(i);
      checkJson(v[i], place, path);
      path.pop();
    }
    return;
  }
  for (const key in v) {
    path.push(key);
    checkJson((v as Record<string, unknown>)[key], place, path);
    path.pop();
  }
}

/** A literal of the document: strings inside input-object and list literals too (variables are checked apart). */
function checkLiteral(node: ValueNode, place: Place, path: Path): void {
  switch (node.kind) {
    case Kind.STRING:
      return checkString(node.value, place, path);
    case Kind.LIST:
      if (path.length >= MAX_INPUT_DEPTH) tooDeep(place, path);
      for (let i = 0; i < node.values.length; i++) {
        path.push(i);
        checkLiteral(node.values[i]!, place, path);
        path.pop();
      }
      return;
    case Kind.OBJECT:
      if (path.length >= MAX_INPUT_DEPTH) tooDeep(place, path);
      for (const f of node.fields) {
        path.push(f.name.value);
        checkLiteral(f.value, place, path);
        path.pop();
      }
      return;
    default:
      return;
  }
}

function checkArguments(head: string, args: readonly ArgumentNode[] | undefined): void {
  if (!args) return;
  for (const a of args) {
    // Enums, numbers, booleans, null and variables hold no literal string.
    const k = a.value.kind;
    if (k === Kind.STRING || k === Kind.LIST || k === Kind.OBJECT) checkLiteral(a.value, new Place(head, true), [a.name.value]);
  }
}

function checkDirectives(directives: readonly DirectiveNode[] | undefined): void {
  if (!directives) return;
  for (const d of directives) checkArguments(`@${d.name.value}`, d.arguments);
}

class Walk {
  private seen: Set<string> | undefined;

  constructor(private readonly fragments: Record<string, FragmentDefinitionNode>) {}

  selections(set: SelectionSetNode): void {
    for (const s of set.selections) {
      checkDirectives(s.directives);
      if (s.kind === Kind.FIELD) {
        checkArguments(s.name.value, s.arguments);
        if (s.selectionSet) this.selections(s.selectionSet);
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        this.selections(s.selectionSet);
      } else {
        const name = s.name.value;
        if ((this.seen ??= new Set()).has(name)) continue;
        this.seen.add(name);
        const fragment = this.fragments[name];
        if (fragment) {
          checkDirectives(fragment.directives);
          this.selections(fragment.selectionSet);
        }
      }
    }
  }
}

/**
 * Every string the operation carries (literal arguments, in the operation and the fragments it uses, variable
 * defaults, and the values of its variables, at any depth) is checked before anything runs. Throws InputError
 * (BAD_USER_INPUT) for a string the upstreams must never see: one with a control character (U+0000-U+001F, U+007F)
 * or a lone surrogate, or one longer than MAX_STRING_LENGTH characters. The message says where and which rule,
 * never the string itself.
 */
export function assertCleanInputs(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> | undefined,
): void {
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const place = new Place(`$${name}`, false);
    if (def.defaultValue) checkLiteral(def.defaultValue, place, []);
    // Values of variables the operation does not define are never used, so they are not looked at.
    if (variables && Object.hasOwn(variables, name)) checkJson(variables[name], place, []);
  }
  checkDirectives(operation.directives);
  new Walk(fragments).selections(operation.selectionSet);
}

/**
 * The part of assertCleanInputs that changes from request to request: the variables' values. Enough on its own
 * once the operation's own literals passed (they are the same every time the document comes back); it refuses
 * what assertCleanInputs would, with the same message.
 */
export function assertCleanVariables(operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): void {
  if (!variables) return;
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (Object.hasOwn(variables, name)) checkJson(variables[name], new Place(`$${name}`, false), []);
  }
}
