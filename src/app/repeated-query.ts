import type { FastifyInstance, FastifyRequest, preValidationHookHandler, RouteOptions } from 'fastify';

/**
 * The query string as Kratos reads it (Go's `url.Values.Get`): each parameter by its first value,
 * so `?return_to=a&return_to=b` or a `?flow=` a UI appended twice is one string, on every route,
 * whether or not it declares a schema. The object has no prototype, as Fastify's own parser's.
 */
export function parseQueryFirstValues(search: string): Record<string, string> {
  const query: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(search)) if (!(key in query)) query[key] = value;
  return query;
}

/**
 * Whether a property's schema may take a list: it declares no type, an `array` type, or combines
 * schemas (`include_credential` is a string or a list).
 */
function mayBeList(property: unknown): boolean {
  if (typeof property !== 'object' || property === null) return true;
  const { type, anyOf, oneOf, allOf } = property as Record<string, unknown>;
  if (anyOf !== undefined || oneOf !== undefined || allOf !== undefined) return true;
  if (typeof type === 'string') return type === 'array';
  return !Array.isArray(type) || type.length === 0 || type.includes('array');
}

/** The query parameters a route's querystring schema lets take every value given. */
function listKeys(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const properties = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.entries(properties)
    .filter(([, property]) => mayBeList(property))
    .map(([key]) => key);
}

function everyValueOf(keys: readonly string[]): preValidationHookHandler {
  return function everyValue(request: FastifyRequest, _reply, done) {
    const question = request.url.indexOf('?');
    if (question !== -1) {
      const params = new URLSearchParams(request.url.slice(question + 1));
      const query = request.query as Record<string, unknown>;
      for (const key of keys) {
        const values = params.getAll(key);
        if (values.length > 1) query[key] = values;
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
 * The one exception to {@link parseQueryFirstValues}: parameters a route's querystring schema
 * declares as lists (`ids=a&ids=b` on the admin lists) get every value back before validation.
 * The hook is added at registration, to those routes only: no other route pays for it.
 */
export function keepQueryLists(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const keys = listKeys(route.schema?.querystring);
    if (keys.length === 0) return;
    route.preValidation = [...hooksOf(route), everyValueOf(keys)];
  });
}
