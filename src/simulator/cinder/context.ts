// What a route handler gets, and the route table shape shared by the routes-*.ts files.
import type { Caller } from '../identity.js';
import type { SimRequest, SimResponse } from '../server.js';
import type { CinderState } from './state.js';
import { CinderFault, badRequest, isObject, type Micro } from './wire.js';

export interface Ctx {
  req: SimRequest;
  state: CinderState;
  /** Who asks: project (`context.project_id`), roles, is_admin. */
  caller: Caller;
  /** Requested microversion (minor number of 3.x). */
  mv: Micro;
  query: URLSearchParams;
  /** `http://host/v3/<project>`: prefix of self and next links. */
  linkBase: string;
  /** `http://host/<project>`: prefix of bookmark links. */
  bookmarkBase: string;
}

export interface Route {
  method: string;
  /** Path segments after the project; `:name` captures. */
  path: string[];
  /** Oldest microversion serving this route; below it Cinder answers 404 itemNotFound. */
  minMv?: Micro;
  handle(ctx: Ctx, params: Record<string, string>): SimResponse;
}

export const accepted = (): SimResponse => ({ status: 202 });
export const ok = (json: unknown, status = 200): SimResponse => ({ status, json });

/** One action of a `POST …/action` dispatcher: its own microversion floor, like `@wsgi.action` methods. */
export interface Action {
  minMv: Micro;
  run(ctx: Ctx, args: unknown): SimResponse;
}

/** `action_peek` + method lookup: exactly one body key naming a known action. */
export function dispatchAction(ctx: Ctx, actions: Record<string, Action>): SimResponse {
  const body = ctx.req.body;
  if (!isObject(body) || Object.keys(body).length !== 1) throw badRequest('Malformed request body');
  const [name] = Object.keys(body) as [string];
  const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
  if (!action) throw badRequest(`There is no such action: ${name}`);
  if (ctx.mv < action.minMv) throw new CinderFault(404, 'The resource could not be found.');
  return action.run(ctx, body[name]);
}
