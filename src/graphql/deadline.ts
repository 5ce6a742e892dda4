import { type GraphQLFieldResolver, type GraphQLSchema, getNamedType, isCompositeType, isObjectType } from 'graphql';
import { FacadeError } from '../errors.js';

/** The request's deadline passed while its answer was still being built. */
export class DeadlineExceeded extends FacadeError {
  constructor() {
    super('DEADLINE_EXCEEDED', 'The request deadline (REQUEST_DEADLINE_MS) passed before this part of the answer was built; ask for less or retry.');
  }
}

interface DeadlineContext {
  caller?: { deadline?: number };
}

/**
 * The deadline bounds execution too, not only upstream calls: every resolver of a field that holds objects (the
 * fields an answer grows through) refuses to start once the request's deadline has passed, so a request
 * past its deadline stops growing its answer and its remaining fields answer DEADLINE_EXCEEDED. Scalar fields
 * are left alone: they only read what their object already holds. Mutates the schema's field configs in place
 * (both executors call the same resolve functions); returns the number of fields guarded.
 */
export function guardResolversWithDeadline(schema: GraphQLSchema): number {
  let guarded = 0;
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve || !isCompositeType(getNamedType(field.type))) continue;
      field.resolve = withDeadline(resolve);
      guarded++;
    }
  }
  return guarded;
}

function withDeadline(resolve: GraphQLFieldResolver<unknown, DeadlineContext>): GraphQLFieldResolver<unknown, DeadlineContext> {
  return (source, args, context, info) => {
    // The clock, not the request's cutoff timer: a timer cannot fire while execution keeps the event loop busy.
    const deadline = context?.caller?.deadline;
    if (deadline !== undefined && Date.now() > deadline) throw new DeadlineExceeded();
    return resolve(source, args, context, info);
  };
}
