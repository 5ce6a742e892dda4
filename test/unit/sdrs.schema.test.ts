import { readFileSync } from 'node:fs';
import { buildSchema, isEnumType, isInputObjectType, isObjectType, parse, type GraphQLField, type GraphQLInputField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/schema.js';
import { DRILL_STATUSES, INSTANCE_STATUSES, PAIR_STATUSES } from '../../src/simulator/sdrs/wire.js';

const SDL = readFileSync(new URL('../../schema/disaster-recovery.graphql', import.meta.url), 'utf8');
// The Federation directives (@key, @link) the schema files use, declared for graphql's plain builder.
const FEDERATION_DIRECTIVES = readFileSync(new URL('../../src/federation/directives.graphql', import.meta.url), 'utf8');

describe('disaster-recovery.graphql', () => {
  // Built from the same SDL files the server loads (graphql's own builder keeps one module realm in the test).
  const schema = buildSchema([FEDERATION_DIRECTIVES, ...loadTypeDefs()].join('\n'));
  const doc = parse(SDL);
  const ownTypes = doc.definitions.flatMap((d) => ('name' in d && d.name && d.kind.endsWith('Definition') ? [d.name.value] : []));
  const ownRootFields = doc.definitions.flatMap((d) =>
    d.kind === 'ObjectTypeExtension' ? (d.fields ?? []).map((f) => `${d.name.value}.${f.name.value}`) : [],
  );

  it('documents every type, field, argument and enum value it declares', () => {
    const missing: string[] = [];
    const fieldDocs = (owner: string, f: GraphQLField<unknown, unknown> | GraphQLInputField) => {
      if (!f.description) missing.push(`${owner}.${f.name}`);
      for (const a of 'args' in f ? f.args : []) if (!a.description) missing.push(`${owner}.${f.name}(${a.name})`);
    };
    expect(ownTypes.length).toBeGreaterThan(20);
    for (const name of ownTypes) {
      const t = schema.getType(name);
      if (!t) throw new Error(`type ${name} missing from the schema`);
      if (!t.description) missing.push(name);
      if (isObjectType(t) || isInputObjectType(t)) for (const f of Object.values(t.getFields())) fieldDocs(name, f);
      if (isEnumType(t)) for (const v of t.getValues()) if (!v.description) missing.push(`${name}.${v.name}`);
    }
    for (const path of ownRootFields) {
      const [root, field] = path.split('.') as [string, string];
      const t = schema.getType(root);
      if (isObjectType(t)) fieldDocs(root, t.getFields()[field]!);
    }
    expect(missing).toEqual([]);
  });

  it('lists every documented SDRS status, upper-snake, plus UNKNOWN', () => {
    const t = schema.getType('ProtectionGroupStatus');
    if (!isEnumType(t)) throw new Error('not an enum');
    expect(t.getValues().map((v) => v.name)).toEqual([
      'CREATING', 'AVAILABLE', 'PROTECTED', 'DELETING', 'ERROR_DELETING', 'ERROR', 'STARTING', 'ERROR_STARTING',
      'REPROTECTING', 'ERROR_REPROTECTING', 'STOPPING', 'ERROR_STOPPING', 'REVERSING', 'ERROR_REVERSING',
      'FAILING_OVER', 'FAILED_OVER', 'ERROR_FAILING_OVER', 'UNKNOWN',
    ]);
  });

  it("lists the members' documented statuses (protected-instance, replication-pair, dr-drill appendices) plus UNKNOWN", () => {
    const values = (name: string) => {
      const t = schema.getType(name);
      if (!isEnumType(t)) throw new Error(`${name} is not an enum`);
      return t.getValues().map((v) => v.name);
    };
    const wire = (list: readonly string[]) => [...list.map((s) => s.toUpperCase().replace(/-/g, '_')), 'UNKNOWN'].sort();
    expect(values('ProtectedInstanceStatus').sort()).toEqual(wire(INSTANCE_STATUSES));
    expect(values('ReplicationPairStatus').sort()).toEqual(wire(PAIR_STATUSES));
    expect(values('DisasterRecoveryDrillStatus').sort()).toEqual(wire(DRILL_STATUSES));
  });
});
