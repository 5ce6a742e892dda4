// The README's example request and its printed answer stay true (demo mode, as `npm start` serves it).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Facade, startFacade } from '../helpers/facade.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
let f: Facade;
beforeAll(async () => {
  f = await startFacade({});
});
afterAll(() => f.close());

it('the example curl query answers exactly what the README shows', async () => {
  const payload = /-d '(\{"query":[^']+\})'/.exec(readme)?.[1];
  const shown = /answers, on the demo simulators:\s*```json\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(payload, 'README has an example curl payload').toBeTruthy();
  expect(shown, 'README shows the answer').toBeTruthy();
  const { query } = JSON.parse(payload!);
  const r = await f.gql(query);
  expect(JSON.parse(r.raw)).toEqual(JSON.parse(shown!));
});
