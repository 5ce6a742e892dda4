import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

// Real Cinder lists default_cgsnapshot_type (consistency groups migrated to groups), which createGroup refuses as
// reserved: the portal's picker offered a type every create refused (real-OpenStack probe).
describe('groupTypes, the picker of createGroup', () => {
  let f: Facade;
  beforeAll(async () => {
    f = await startFacade({ SIMULATE: 'cinder' });
  });
  afterAll(() => f.close());

  it("leaves out Cinder's reserved default_cgsnapshot_type", async () => {
    const state = (f.app.simulators.cinder as unknown as { state: { addGroupType(t: Record<string, unknown>): { id: string } } }).state;
    const reserved = state.addGroupType({ name: 'default_cgsnapshot_type', description: 'Default group type for migrating cgsnapshot', group_specs: {}, is_public: true });
    const names = (await f.ok<any>('{ groupTypes { name } }')).groupTypes.map((t: { name: string }) => t.name);
    expect(names).not.toContain('default_cgsnapshot_type');
    expect(names.length).toBeGreaterThan(1);
    // By id it is still what it is.
    expect((await f.ok<any>(`{ groupType(id: "${reserved.id}") { name } }`)).groupType.name).toBe('default_cgsnapshot_type');
  });
});
