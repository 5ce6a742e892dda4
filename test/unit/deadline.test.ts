// Issue 18: the request deadline bounds execution, not only upstream calls.
import { type DocumentNode, execute, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema.js';

const schema = buildSchema();
const document: DocumentNode = parse(`{ groups { nodes { id } } about { services { name } } }`);

/** A context whose every upstream access is recorded; past its deadline nothing may ask for one. */
function context(deadline: number) {
  const asked: string[] = [];
  const refuse = (service: string) => () => {
    asked.push(service);
    throw new Error(`${service} asked for`);
  };
  const about = { services: [{ name: 'cinder', mode: 'SIMULATED', endpoint: null }] };
  const value = { caller: { deadline, token: null, requestId: 'req-x' }, about, servicesForCaller: () => about.services };
  return { asked, value: { ...value, cinder: refuse('cinder'), manila: refuse('manila'), sdrs: refuse('sdrs') } };
}

describe('resolvers past the request deadline', () => {
  it.each([
    ['graphql-js', (ctx: unknown) => execute({ schema, document, contextValue: ctx })],
    [
      'graphql-jit',
      (ctx: unknown) => {
        const compiled = compileQuery(schema, document);
        if (!isCompiledQuery(compiled)) throw new Error('did not compile');
        return compiled.query(undefined, ctx, {});
      },
    ],
  ])('refuse to start on %s (DEADLINE_EXCEEDED), so the answer stops growing', async (_, run) => {
    const late = context(Date.now() - 1);
    const result = await run(late.value);
    expect(late.asked).toEqual([]);
    expect(result.errors?.map((e) => (e.originalError as { code?: string } | undefined)?.code)).toEqual(['DEADLINE_EXCEEDED', 'DEADLINE_EXCEEDED']);
    expect(result.errors?.[0]?.message).toMatch(/REQUEST_DEADLINE_MS/);
  });

  it('run as usual before it', async () => {
    const onTime = context(Date.now() + 60_000);
    const result = await execute({ schema, document, contextValue: onTime.value });
    expect(onTime.asked).toEqual(['cinder']);
    expect(result.data?.about).toEqual({ services: [{ name: 'cinder' }] });
  });
});
