/**
 * The paths of an identity schema as Kratos lists them before it turns traits into form fields
 * (ory/x `jsonschemax.ListPaths` over the schema ory/jsonschema compiled): every property reached
 * through `properties`, `$ref`, `allOf`, `anyOf`, `oneOf`, `not` and `if`/`then`/`else`, never
 * through `items`, named with dots, sorted by name.
 *
 * Kratos's quirks are kept on purpose, because UIs see their effect: a property with two types
 * (`["string", "null"]`) and no `default` yields no path, and a property that is only a `$ref`
 * is never `required` (ory/jsonschema ignores the keywords beside `$ref`, so the parent of the
 * referenced schema is the `$ref` holder, which has no `required` list).
 */

import type { JsonObject, JsonValue } from '../../identity/model.js';
import { isJsonObject } from '../../kernel/json.js';

/** How a path's value is typed, which decides the input `type` (`jsonschemax` `TypeHint`). */
export type SchemaPathKind = 'text' | 'number' | 'boolean' | 'json';

/** One path of the schema, with the keywords node generation reads. */
export interface SchemaPath {
  /** Dotted from the document root, e.g. `traits.name.first`; dots inside keys are not escaped. */
  readonly name: string;
  readonly kind: SchemaPathKind;
  /** `''` when the schema has none. */
  readonly title: string;
  readonly format: string | undefined;
  readonly pattern: string | undefined;
  readonly enum: readonly JsonValue[] | undefined;
  /** Listed in the `required` of the schema that holds the property. */
  readonly required: boolean;
  readonly hasDefault: boolean;
  /** The `ory.sh/kratos` keyword of the schema the path came from. */
  readonly extension: JsonObject | undefined;
}

/** A schema that refers back to itself; Kratos refuses to build a form from it as well. */
export class SchemaCycleError extends Error {
  readonly code = 'schema_cycle';

  constructor(readonly path: string) {
    super(`detected circular dependency in schema path: ${path}`);
    this.name = 'SchemaCycleError';
  }
}

const EXTENSION_KEYWORD = 'ory.sh/kratos';

/**
 * Lists the paths of `document` as Kratos does. Only local references (`#/...`) are followed;
 * a reference to another document yields no path.
 *
 * @throws {SchemaCycleError} a `$ref` chain leads back to a schema it came from.
 */
export function listSchemaPaths(document: JsonObject): SchemaPath[] {
  const paths = walk(document, { root: document, parent: undefined, parents: [], ancestors: new Set() });
  return unique(paths.sort(byName)).sort(byName);
}

interface WalkContext {
  readonly root: JsonObject;
  readonly parent: JsonObject | undefined;
  readonly parents: readonly string[];
  readonly ancestors: ReadonlySet<JsonObject>;
}

function walk(schema: JsonObject, context: WalkContext): SchemaPath[] {
  if (context.ancestors.has(schema)) throw new SchemaCycleError(context.parents.join('.'));
  const below = { ...context, parent: schema, ancestors: new Set([...context.ancestors, schema]) };

  // ory/jsonschema compiles `{ "$ref": ... }` to the reference alone: the keywords beside it are dropped.
  if (typeof schema.$ref === 'string') {
    const target = resolveLocalRef(context.root, schema.$ref);
    return target === undefined ? [] : walk(target, below);
  }

  const paths: SchemaPath[] = [];
  const own = ownPath(schema, context);
  if (own !== undefined) paths.push(own);

  // The same order as jsonschemax, which matters when two branches describe one name.
  for (const keyword of ['not', 'if', 'then', 'else'] as const) {
    const sub = schema[keyword];
    if (isJsonObject(sub)) paths.push(...walk(sub, below));
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (!Array.isArray(list)) continue;
    for (const sub of list) if (isJsonObject(sub)) paths.push(...walk(sub, below));
  }
  const properties = schema.properties;
  if (isJsonObject(properties)) {
    for (const [name, sub] of Object.entries(properties)) {
      if (isJsonObject(sub)) paths.push(...walk(sub, { ...below, parents: [...context.parents, name] }));
    }
  }
  return paths;
}

function ownPath(schema: JsonObject, context: WalkContext): SchemaPath | undefined {
  const name = context.parents.at(-1);
  if (name === undefined) return undefined;
  const kind = kindOf(schema, context.root);
  // JSON `null` decodes to Go's nil, which is no default at all.
  const hasDefault = schema.default !== undefined && schema.default !== null;
  if (kind === undefined && !hasDefault) return undefined;
  const required = context.parent?.required;
  return {
    name: context.parents.join('.'),
    // A path listed only for its default has no type; Kratos renders it as text.
    kind: kind ?? 'text',
    title: typeof schema.title === 'string' ? schema.title : '',
    format: typeof schema.format === 'string' ? schema.format : undefined,
    pattern: typeof schema.pattern === 'string' ? schema.pattern : undefined,
    enum: Array.isArray(schema.enum) ? schema.enum : undefined,
    required: Array.isArray(required) && required.includes(name),
    hasDefault,
    extension: isJsonObject(schema[EXTENSION_KEYWORD]) ? schema[EXTENSION_KEYWORD] : undefined,
  };
}

/** The kind of a schema, or undefined where jsonschemax has no type prototype (Go nil). */
function kindOf(schema: JsonObject, root: JsonObject): SchemaPathKind | undefined {
  if (schema.const !== undefined) {
    const constant = schema.const;
    if (typeof constant === 'number') return 'number';
    if (typeof constant === 'string') return 'text';
    if (typeof constant === 'boolean') return 'boolean';
    return constant === null ? undefined : 'json';
  }
  const types = typesOf(schema);
  if (types.length > 2) return 'json';
  if (types.length !== 1) return undefined;
  switch (types[0]) {
    case 'boolean':
      return 'boolean';
    case 'number':
    case 'integer':
      return 'number';
    case 'string':
      return 'text';
    case 'array':
      return arrayKind(schema, root);
    case 'object':
      return 'json';
    default:
      return undefined;
  }
}

/** Arrays of one scalar type become a text field; arrays of objects or arrays are skipped. */
function arrayKind(schema: JsonObject, root: JsonObject): SchemaPathKind {
  const items = schema.items;
  const itemSchemas = Array.isArray(items) ? items.filter(isJsonObject) : isJsonObject(items) ? [items] : [];
  if (itemSchemas.length === 0) return 'text';
  const types = new Set<string>();
  for (const item of itemSchemas) {
    // jsonschemax reads the item's own types and, one level deep, those of its reference.
    const target = typeof item.$ref === 'string' ? resolveLocalRef(root, item.$ref) : undefined;
    for (const type of typeof item.$ref === 'string' ? [] : typesOf(item)) types.add(type);
    for (const type of target === undefined ? [] : typesOf(target)) types.add(type);
  }
  if (types.size !== 1) return 'text';
  const [type] = types;
  return type === 'boolean' || type === 'number' || type === 'integer' || type === 'string' ? 'text' : 'json';
}

function typesOf(schema: JsonObject): string[] {
  const type = schema.type;
  if (typeof type === 'string') return [type];
  return Array.isArray(type) ? type.filter((t): t is string => typeof t === 'string') : [];
}

/** Kratos keeps the first path of a name unless it has no default and a later one exists. */
function unique(sorted: readonly SchemaPath[]): SchemaPath[] {
  const byNameMap = new Map<string, SchemaPath>();
  for (const path of sorted) {
    const cached = byNameMap.get(path.name);
    if (cached === undefined || !cached.hasDefault) byNameMap.set(path.name, path);
  }
  return [...byNameMap.values()];
}

function byName(a: SchemaPath, b: SchemaPath): number {
  // Go compares strings bytewise; code units agree for the ASCII names schemas use.
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Resolves `#` and `#/json/pointer` against the document; anything else is not followed. */
export function resolveLocalRef(root: JsonObject, ref: string): JsonObject | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let current: JsonValue = root;
  for (const raw of ref.slice(2).split('/')) {
    const token = decodePointerToken(raw);
    if (token === undefined) return undefined;
    if (Array.isArray(current)) current = current[Number(token)] ?? null;
    else if (isJsonObject(current)) current = current[token] ?? null;
    else return undefined;
  }
  return isJsonObject(current) ? current : undefined;
}

function decodePointerToken(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
  } catch {
    // A malformed percent-escape cannot name anything in the document.
    return undefined;
  }
}
