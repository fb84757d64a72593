import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ConfigIssue } from './errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from './json.js';
import type { ConfigSchema } from './schema.js';
import type { KratosConfigDocument } from './types.js';
import { issuesFromErrors } from './validation-issues.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

/** A compiled schema plus what error reporting needs to re-check a single `anyOf` branch. */
export interface ConfigValidator {
  readonly validate: ValidateFunction<KratosConfigDocument>;
  /** Validates `value` against one schema object of the tree, or undefined if it has no address. */
  readonly validateSubschema: (schema: unknown, value: unknown) => ErrorObject[] | undefined;
}

const cache = new WeakMap<ConfigSchema, ConfigValidator>();

/**
 * The validator of `schema` (draft-07, all errors, formats on), compiled once per schema
 * object because compiling the Kratos schema takes a moment.
 */
export function validatorFor(schema: ConfigSchema): ConfigValidator {
  let validator = cache.get(schema);
  if (validator === undefined) {
    validator = compile(schema);
    cache.set(schema, validator);
  }
  return validator;
}

/** Validates `document`: the typed document, or one issue per problem found. */
export function validateDocument(
  validator: ConfigValidator,
  document: JsonObject,
): { ok: true; document: KratosConfigDocument } | { ok: false; issues: ConfigIssue[] } {
  if (validator.validate(document)) return { ok: true, document };
  return { ok: false, issues: issuesFromErrors(validator.validate.errors ?? [], document, validator) };
}

function compile(schema: ConfigSchema): ConfigValidator {
  // strict: false because the Kratos schema uses keywords Ajv does not know (deprecationMessage,
  // ...). verbose keeps each error's schema object, which lets errors be traced to a branch.
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  addFormats(ajv);
  for (const referenced of schema.referencedSchemas) ajv.addSchema(referenced);
  const validate = ajv.compile<KratosConfigDocument>(schema.root);

  // Every schema object's absolute address (`<$id>#/json/pointer`), so that one branch of an
  // anyOf can be compiled alone, with its `$ref`s resolving as they do in the whole schema.
  const addresses = new WeakMap<object, string>();
  for (const document of [schema.root, ...schema.referencedSchemas]) {
    if (typeof document.$id === 'string') indexAddresses(document, `${document.$id}#`, addresses);
  }
  const validateSubschema = (subschema: unknown, value: unknown): ErrorObject[] | undefined => {
    if (typeof subschema !== 'object' || subschema === null) return undefined;
    const address = addresses.get(subschema);
    if (address === undefined) return undefined;
    const sub = ajv.getSchema(address);
    if (sub === undefined) return undefined;
    return sub(value) ? [] : [...(sub.errors ?? [])];
  };
  return { validate, validateSubschema };
}

function indexAddresses(node: JsonValue, pointer: string, addresses: WeakMap<object, string>): void {
  if (Array.isArray(node)) {
    addresses.set(node, pointer);
    for (const [index, item] of node.entries()) indexAddresses(item, `${pointer}/${index}`, addresses);
  } else if (isJsonObject(node)) {
    addresses.set(node, pointer);
    for (const [key, item] of Object.entries(node))
      indexAddresses(item, `${pointer}/${escapePointer(key)}`, addresses);
  }
}

function escapePointer(key: string): string {
  return encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'));
}
