// assertCleanInputs (every string of a request, before anything runs) and the id format checks of src/ids.ts.
import { type FragmentDefinitionNode, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_STRING_LENGTH, assertCleanInputs } from '../../src/graphql/inputs.js';
import { assertSdrsJobId, assertUuid, optionalUuid } from '../../src/ids.js';

/** Runs the check as guards.ts does: the document's first operation and all its fragments. */
function check(query: string, variables?: Record<string, unknown>): void {
  const doc = parse(query);
  const operation = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  assertCleanInputs(operation, fragments, variables);
}

/** The InputError the check throws (fails the test when it throws nothing or something else). */
function refusal(query: string, variables?: Record<string, unknown>): InputError {
  try {
    check(query, variables);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`not refused: ${query} ${JSON.stringify(variables)}`);
}

describe('assertCleanInputs', () => {
  it('MAX_STRING_LENGTH is 255 (Cinder and Manila names and descriptions)', () => {
    expect(MAX_STRING_LENGTH).toBe(255);
  });

  it('lets ordinary requests through', () => {
    check('query($n: String, $in: UpdateGroupInput!) { groups(filter: { name: $n }) { nodes { id } } x: updateGroup(input: $in) { group { id } } }', {
      n: 'db-cluster-prod (ünïcode, emoji 🙂, tabs are not here)',
      in: { id: '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01', addVolumeIds: ['3f8e2d1c-4b5a-4968-a7b6-c5d4e3f2a101'], name: null },
    });
    check('{ groups(first: 10, filter: { name: "x y" }) { nodes { id } } }');
    check('query { a: job(id: "0000000062db92d70162db9d200f000a", waitSeconds: 3) { id } }', undefined);
  });

  it.each(['0000', '0001', '0009', '000A', '000D', '001B', '001F', '007F'])('refuses U+%s in a variable, naming the code point, never the character', (hex) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    const e = refusal('query($n: String) { groups(filter: { name: $n }) { nodes { id } } }', { n: `a${c}b` });
    expect(e.message).toContain(`$n`);
    expect(e.message).toContain(`U+${hex}`);
    expect(e.message).not.toContain(c);
    expect(e.code).toBe('BAD_USER_INPUT');
  });

  it('accepts characters just outside the control ranges (space, tilde, U+0080 and above)', () => {
    check('query($n: String) { groups(filter: { name: $n }) { nodes { id } } }', { n: ' ~\u0080\u00a0é' });
  });

  it('walks variables at any depth: objects in lists in objects', () => {
    const e = refusal('query($v: SomeInput) { f(v: $v) }', { v: { a: [{ b: 'ok' }, { b: ['ok', 'x\u0000'] }] } });
    expect(e.message).toContain('$v.a[1].b[1]');
  });

  it('walks literals: arguments, input objects, lists, nested fields, aliases', () => {
    expect(refusal('{ a { b { c(x: "\\u0000") } } }').message).toContain('c(x)');
    expect(refusal('{ alias: g(filter: { name: "\\n" }) }').message).toContain('g(filter.name)');
    expect(refusal('{ g(ids: ["ok", "\\r"]) }').message).toContain('g(ids[1])');
    expect(refusal('{ g(in: { list: [{ s: "\\u007f" }] }) }').message).toContain('g(in.list[0].s)');
    expect(refusal('{ g(s: """a\nb""") }').message).toContain('g(s)');
  });

  it('walks fragments the operation uses (spreads, nested spreads) and inline fragments', () => {
    expect(refusal('{ ...A } fragment A on Q { ...B } fragment B on Q { g(s: "\\u0001") }').message).toContain('g(s)');
    expect(refusal('{ ... on Q { g(s: "\\u0002") } }').message).toContain('g(s)');
  });

  it('ignores fragments the operation does not use and variables it does not define', () => {
    check('{ a } fragment Unused on Q { g(s: "\\u0000") }');
    check('{ a }', { notDefined: 'x\u0000' });
  });

  it('checks directive arguments and variable defaults', () => {
    expect(refusal('{ a @d(s: "\\u0000") }').message).toContain('@d(s)');
    expect(refusal('query($n: String = "\\u0000") { g(s: $n) }').message).toContain('$n');
  });

  it('a variable default is overridden by the value given', () => {
    const e = refusal('query($n: String = "fine") { g(s: $n) }', { n: 'x'.repeat(MAX_STRING_LENGTH + 1) });
    expect(e.message).toContain('$n');
  });

  it('length: counted in characters (code points), MAX_STRING_LENGTH allowed, one more refused', () => {
    const q = 'query($n: String) { g(s: $n) }';
    check(q, { n: 'x'.repeat(MAX_STRING_LENGTH) });
    check(q, { n: '🙂'.repeat(MAX_STRING_LENGTH) }); // 510 UTF-16 units
    expect(refusal(q, { n: 'x'.repeat(MAX_STRING_LENGTH + 1) }).message).toMatch(/\$n is 256 characters long; strings may be at most 255/);
    expect(refusal(q, { n: '🙂'.repeat(MAX_STRING_LENGTH + 1) }).message).toMatch(/256 characters/);
    expect(refusal(`{ g(s: "${'y'.repeat(1000)}") }`).message).toMatch(/g\(s\) is 1000 characters/);
  });

  it('refuses lone surrogates (not valid UTF-8 once sent upstream)', () => {
    expect(refusal('query($n: String) { g(s: $n) }', { n: 'a\ud800b' }).message).toMatch(/\$n.*surrogate/);
    check('query($n: String) { g(s: $n) }', { n: '\ud83d\ude42' });
  });

  it('non-string values are left alone', () => {
    check('query($a: Int, $b: Boolean, $c: [Int], $d: Float) { g(a: $a, b: $b, c: $c, d: $d, e: ENUM_VALUE, f: null) }', { a: 1, b: true, c: [1, null], d: 1.5 });
  });
});

describe('id formats', () => {
  const uuid = '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4b01';

  it('assertUuid takes 8-4-4-4-12 hex (either case, answered in lower case) and nothing else', () => {
    expect(assertUuid(uuid)).toBe(uuid);
    expect(assertUuid(uuid.toUpperCase())).toBe(uuid);
    for (const bad of ['detail', 'default', '', '9c4a1b2e5d6f4e7a8b9c0d1e2f3a4b01', `${uuid}x`, ` ${uuid}`, `${uuid}\n`, '9c4a1b2e-5d6f-4e7a-8b9c-0d1e2f3a4bg1', '../x']) {
      expect(() => assertUuid(bad, 'volume id'), bad).toThrow(InputError);
    }
    expect(() => assertUuid('detail', 'volume id')).toThrow('Invalid volume id "detail": expected a UUID');
  });

  it('optionalUuid: absent is undefined, empty is refused', () => {
    expect(optionalUuid(undefined, 'groupId')).toBeUndefined();
    expect(optionalUuid(null, 'groupId')).toBeUndefined();
    expect(optionalUuid(uuid, 'groupId')).toBe(uuid);
    expect(() => optionalUuid('', 'groupId')).toThrow('Invalid groupId ""');
  });

  it('assertSdrsJobId takes 32 hex digits only', () => {
    expect(assertSdrsJobId('0000000062db92d70162db9d200f000a')).toBe('0000000062db92d70162db9d200f000a');
    for (const bad of [uuid, 'detail', '', '0000000062db92d70162db9d200f000', '0000000062db92d70162db9d200f000a0', 'z000000062db92d70162db9d200f000a']) {
      expect(() => assertSdrsJobId(bad), bad).toThrow(/32 hex digits/);
    }
  });


  it('long ids are cut in messages; control characters are escaped', () => {
    const e = (() => {
      try {
        assertUuid(`${'a'.repeat(60)}\u0000`);
      } catch (err) {
        return err as Error;
      }
      throw new Error('not refused');
    })();
    expect(e.message).toContain('…');
    expect(e.message).not.toContain('\u0000');
  });
});
