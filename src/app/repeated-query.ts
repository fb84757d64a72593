import type { FastifyInstance, FastifyRequest, preValidationHookHandler, RouteOptions } from 'fastify';

/**
 * Whether a property's schema takes one value only: it declares a type, and neither that type nor
 * a combination of schemas admits an array. Anything else (`include_credential` as a string or a
 * list, an untyped property) keeps what the query gave.
 */
function singleValued(property: unknown): boolean {
  if (typeof property !== 'object' || property === null) return false;
  const { type, anyOf, oneOf, allOf } = property as Record<string, unknown>;
  if (anyOf !== undefined || oneOf !== undefined || allOf !== undefined) return false;
  if (typeof type === 'string') return type !== 'array';
  return Array.isArray(type) && type.length > 0 && !type.includes('array');
}

/** The query parameters a route's querystring schema declares as single-valued. */
function singleValuedKeys(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const properties = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.entries(properties)
    .filter(([, property]) => singleValued(property))
    .map(([key]) => key);
}

function firstValuesOf(keys: readonly string[]): preValidationHookHandler {
  return function firstValues(request: FastifyRequest, _reply, done) {
    const query = request.query as Record<string, unknown> | null;
    if (query !== null && typeof query === 'object') {
      for (const key of keys) {
        const value = query[key];
        if (Array.isArray(value)) query[key] = value[0];
      }
    }
    done();
  };
}

function hooksOf(route: RouteOptions): preValidationHookHandler[] {
  const existing = route.preValidation;
  if (existing === undefined) return [];
  return (Array.isArray(existing) ? existing : [existing]) as preValidationHookHandler[];
}

/**
 * A parameter given twice (`?return_to=a&return_to=b`) counts by its first value, as Kratos reads
 * its query with Go's `Query().Get`. Without this, a repeated parameter became an array and the
 * schema answered 400. Parameters declared as arrays (`ids=a&ids=b` on the admin lists) keep every
 * value.
 *
 * The hook is added at registration only to routes whose querystring schema names a single-valued
 * parameter, so routes without one (whoami, decisions) pay nothing per request. It runs before
 * validation, so the value checked is the value used.
 */
export function readRepeatedQueryByFirstValue(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const keys = singleValuedKeys(route.schema?.querystring);
    if (keys.length === 0) return;
    route.preValidation = [...hooksOf(route), firstValuesOf(keys)];
  });
}
