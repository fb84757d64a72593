import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ConfigSchema } from './schema.js';

/** A JSON Schema `type` name. */
export type SchemaType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

/** A key path the schema knows, with the types a value there may have. */
export interface SchemaPath {
  /** Key names from the root; `#` stands for any index of an array. */
  readonly path: readonly string[];
  /** Types allowed here, from all schema branches. Empty when the schema does not say. */
  readonly types: ReadonlySet<SchemaType>;
  /** For arrays: the types the items may have. */
  readonly itemTypes: ReadonlySet<SchemaType>;
}

/** Marks "any array index" in {@link SchemaPath.path}. */
export const ANY_INDEX = '#';

// Only names an env var can spell survive: `sqa-opt-out` or `Sec-Ch-Ua` cannot be written as
// SQA-OPT-OUT in a portable shell, so they are config-file only (as in Kratos).
const ENV_SPELLABLE = /^[a-z0-9_]+$/;
// Guards against recursive schemas: no real key path is this deep.
const MAX_DEPTH = 24;

interface SchemaNode {
  readonly schema: JsonObject;
  /** The document `#/...` pointers resolve in. */
  readonly root: JsonObject;
}

interface Facets {
  types: Set<SchemaType>;
  properties: Map<string, SchemaNode[]>;
  items: SchemaNode[];
}

/**
 * Lists every key path of `schema` that an env var could name: leaves, objects, arrays, and
 * the keys inside array items (as `#`). Branches of `allOf`/`anyOf`/`oneOf`/`then`/`else` are
 * merged, `$ref`s followed. Keys under `patternProperties`/`additionalProperties` have no names
 * to list; their parent object is listed and takes a JSON value.
 */
export function listSchemaPaths(schema: ConfigSchema, excludedRootKeys: ReadonlySet<string>): SchemaPath[] {
  const byId = new Map<string, JsonObject>();
  for (const referenced of schema.referencedSchemas) {
    const id = referenced.$id;
    if (typeof id === 'string') byId.set(id, referenced);
  }
  const out: SchemaPath[] = [];
  const rootFacets = collect([{ schema: schema.root, root: schema.root }], byId);
  for (const [key, nodes] of rootFacets.properties) {
    if (!excludedRootKeys.has(key) && ENV_SPELLABLE.test(key)) walk([key], nodes, byId, out);
  }
  return out;
}

function walk(path: string[], nodes: SchemaNode[], byId: Map<string, JsonObject>, out: SchemaPath[]): void {
  const facets = collect(nodes, byId);
  const itemFacets = collect(facets.items, byId);
  out.push({ path, types: facets.types, itemTypes: itemFacets.types });
  if (path.length >= MAX_DEPTH) return;
  for (const [key, children] of facets.properties) {
    if (ENV_SPELLABLE.test(key)) walk([...path, key], children, byId, out);
  }
  // Items of object arrays get indexed names (IDENTITY_SCHEMAS_0_URL), as in Kratos; scalar
  // arrays are set whole, from a comma list or JSON.
  if (itemFacets.properties.size > 0) walk([...path, ANY_INDEX], facets.items, byId, out);
}

/** Merges what all `nodes` (and the branches they combine) say about one path. */
function collect(nodes: readonly SchemaNode[], byId: Map<string, JsonObject>): Facets {
  const facets: Facets = { types: new Set(), properties: new Map(), items: [] };
  const seen = new Set<JsonObject>();
  const visit = (node: SchemaNode, depth: number): void => {
    if (seen.has(node.schema) || depth > MAX_DEPTH) return;
    seen.add(node.schema);
    const { schema } = node;
    addTypes(facets.types, schema);
    if (typeof schema.$ref === 'string') {
      const target = resolveRef(schema.$ref, node.root, byId);
      if (target !== undefined) visit(target, depth + 1);
    }
    const properties = schema.properties;
    if (isJsonObject(properties)) {
      for (const [key, child] of Object.entries(properties)) {
        if (!isJsonObject(child)) continue;
        const list = facets.properties.get(key) ?? [];
        list.push({ schema: child, root: node.root });
        facets.properties.set(key, list);
      }
      if (facets.types.size === 0) facets.types.add('object');
    }
    if (isJsonObject(schema.items)) facets.items.push({ schema: schema.items, root: node.root });
    for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
      const branches = schema[keyword];
      if (!Array.isArray(branches)) continue;
      for (const branch of branches)
        if (isJsonObject(branch)) visit({ schema: branch, root: node.root }, depth + 1);
    }
    // `then`/`else` may add keys; `if` only tests and `not` only forbids, so both are skipped.
    for (const keyword of ['then', 'else']) {
      const branch = schema[keyword];
      if (isJsonObject(branch)) visit({ schema: branch, root: node.root }, depth + 1);
    }
  };
  for (const node of nodes) visit(node, 0);
  return facets;
}

const TYPE_NAMES: ReadonlySet<string> = new Set([
  'string',
  'integer',
  'number',
  'boolean',
  'object',
  'array',
  'null',
]);

function addTypes(types: Set<SchemaType>, schema: JsonObject): void {
  const declared = schema.type;
  const names = Array.isArray(declared) ? declared : declared === undefined ? [] : [declared];
  for (const name of names) if (typeof name === 'string' && isSchemaType(name)) types.add(name);
  // `{ "const": "web_hook" }` or an `enum` without a `type` still tells the type.
  const literals: JsonValue[] = [];
  if (schema.const !== undefined) literals.push(schema.const);
  if (Array.isArray(schema.enum)) literals.push(...schema.enum);
  if (names.length === 0) for (const literal of literals) types.add(typeOfLiteral(literal));
}

function isSchemaType(name: string): name is SchemaType {
  return TYPE_NAMES.has(name);
}

function typeOfLiteral(value: JsonValue): SchemaType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'boolean' ? 'boolean' : 'string';
}

/** Resolves `#/json/pointer` in the current document or `<$id>#/pointer` in a known schema. */
function resolveRef(ref: string, root: JsonObject, byId: Map<string, JsonObject>): SchemaNode | undefined {
  const hash = ref.indexOf('#');
  const id = hash < 0 ? ref : ref.slice(0, hash);
  const pointer = hash < 0 ? '' : ref.slice(hash + 1);
  const document = id === '' ? root : byId.get(id);
  if (document === undefined) return undefined;
  let node: JsonValue = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isJsonObject(node)) return undefined;
    const next: JsonValue | undefined = node[key];
    if (next === undefined) return undefined;
    node = next;
  }
  return isJsonObject(node) ? { schema: node, root: document } : undefined;
}
