// The nesting bound checked before any parser runs (a deep literal overflowed graphql's parser).
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_NESTING, nestsTooDeep } from '../../src/graphql/nesting.js';

const list = (depth: number) => `{ f(x: ${'['.repeat(depth)}1${']'.repeat(depth)}) }`;

describe('nestsTooDeep', () => {
  it('counts brackets, braces and parentheses together, up to the bound', () => {
    // `{`, `(` and the list's own levels.
    expect(nestsTooDeep(list(MAX_NESTING - 2))).toBe(false);
    expect(nestsTooDeep(list(MAX_NESTING - 1))).toBe(true);
    expect(nestsTooDeep('{ a { b { c } } }')).toBe(false);
    expect(nestsTooDeep(`${'{ a '.repeat(70)}${'}'.repeat(70)}`)).toBe(true);
  });

  it('skips strings, block strings and comments, which may hold any brackets', () => {
    const brackets = '['.repeat(500);
    expect(nestsTooDeep(`{ f(x: "${brackets}") }`)).toBe(false);
    expect(nestsTooDeep(`{ f(x: "a \\" ${brackets}") }`)).toBe(false);
    expect(nestsTooDeep(`{ f(x: """${brackets} \\""" ${brackets}""") }`)).toBe(false);
    expect(nestsTooDeep(`# ${brackets}\n{ f }`)).toBe(false);
    expect(nestsTooDeep(`{ f(x: "unterminated\n${brackets}") }`)).toBe(true);
    // A bare carriage return ends a comment and a string for the parser too (a probe's bypass).
    expect(nestsTooDeep(`{ a } #\r query B { f(x: ${brackets}) }`)).toBe(true);
    expect(nestsTooDeep(`{ f(x: "unterminated\r${brackets}") }`)).toBe(true);
  });

  it('leaves every document it passes parseable without overflowing', () => {
    expect(() => parse(list(MAX_NESTING - 2))).not.toThrow();
  });
});
