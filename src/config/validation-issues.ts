import type { ErrorObject } from 'ajv';
import type { ConfigIssue } from './errors.js';
import type { ConfigValidator } from './validate.js';

/**
 * Turns Ajv's errors into one issue per real problem, named by key path.
 *
 * Ajv reports every branch of an `anyOf` (a hook list accepts six hook shapes), so a typo in
 * one web hook yields a dozen errors about the other five shapes. Each failed `anyOf`/`oneOf`
 * is re-checked branch by branch; branches whose discriminator already failed (`hook` is not
 * their constant, the value is not their type) are dropped, and when one branch is left its
 * errors are the report. Otherwise the key gets one issue naming the allowed forms.
 */
export function issuesFromErrors(
  errors: readonly ErrorObject[],
  document: unknown,
  validator: ConfigValidator,
): ConfigIssue[] {
  const issues = distill(errors, document, validator, 0);
  const unique = new Map<string, ConfigIssue>();
  for (const issue of issues) unique.set(`${issue.path}\u0000${issue.message}`, issue);
  return [...unique.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// Nested anyOf inside anyOf is rare and shallow; the bound only stops a pathological schema.
const MAX_NESTING = 8;

function distill(
  errors: readonly ErrorObject[],
  document: unknown,
  validator: ConfigValidator,
  depth: number,
): ConfigIssue[] {
  // An `if` error only says "the then-part failed"; the then-part's own errors say why.
  const list = errors.filter((error) => error.keyword !== 'if');
  const consumed = new Set<ErrorObject>();
  const out: ConfigIssue[] = [];

  // Ajv appends a composite's error after its branches' errors, so walking backwards meets
  // the outer composite before the nested ones its branches contain.
  for (let index = list.length - 1; index >= 0; index--) {
    const error = list[index];
    if (error === undefined || consumed.has(error) || !isComposite(error)) continue;
    consumed.add(error);
    const at = error.instancePath;
    if (error.keyword === 'oneOf' && Array.isArray(error.params.passingSchemas)) {
      out.push(issue(at, 'matches more than one of the allowed forms; make it match exactly one'));
      continue;
    }
    const branches = Array.isArray(error.schema) ? error.schema : [];
    const value = valueAt(document, at);
    const perBranch: ErrorObject[][] = [];
    for (const branch of branches) {
      const branchErrors = validator.validateSubschema(branch, value);
      if (branchErrors === undefined || depth >= MAX_NESTING) break;
      perBranch.push(branchErrors.map((e) => ({ ...e, instancePath: at + e.instancePath })));
    }
    if (perBranch.length !== branches.length || branches.length === 0) {
      // Cannot re-check a branch alone: keep Ajv's raw errors and say what failed overall.
      out.push(issue(at, 'does not match any of the allowed forms'));
      continue;
    }
    consumeBranchErrors(list, index, at, perBranch, consumed);
    out.push(...chooseBranch(at, perBranch, document, validator, depth));
  }
  for (const error of list) if (!consumed.has(error)) out.push(describeError(error, document));
  return out;
}

function chooseBranch(
  at: string,
  perBranch: readonly ErrorObject[][],
  document: unknown,
  validator: ConfigValidator,
  depth: number,
): ConfigIssue[] {
  const viable = perBranch.filter((errors) => !errors.some((error) => isDiscriminatorFailure(error, at)));
  const [only] = viable;
  if (viable.length === 1 && only !== undefined) return distill(only, document, validator, depth + 1);

  if (viable.length === 0) {
    // Every branch rejected the same key's value (`hook: sesion`): list what it may be.
    const discriminators = perBranch.flat().filter((error) => isDiscriminatorFailure(error, at));
    const paths = new Set(discriminators.map((error) => error.instancePath));
    const [path] = paths;
    const allowed = discriminators.flatMap(allowedValues);
    if (paths.size === 1 && path !== undefined && path !== at && allowed.length > 0) {
      return [issue(path, `must be one of: ${[...new Set(allowed)].join(', ')}`)];
    }
  }
  const candidates = viable.length > 0 ? viable : perBranch;
  const forms = candidates.map((errors) => {
    const [first] = distill(errors, document, validator, depth + 1);
    if (first === undefined) return 'another form';
    const relative = first.path.slice(toDotted(at).length).replace(/^\./, '');
    return relative === '' ? first.message : `${relative}: ${first.message}`;
  });
  return [issue(at, `does not match any of the allowed forms (${[...new Set(forms)].join('; or ')})`)];
}

/** Marks the main run's errors that came from these branches, so they are not reported twice. */
function consumeBranchErrors(
  list: readonly ErrorObject[],
  compositeIndex: number,
  at: string,
  perBranch: readonly ErrorObject[][],
  consumed: Set<ErrorObject>,
): void {
  const signatures = new Set(perBranch.flat().map(signature));
  for (let index = compositeIndex - 1; index >= 0; index--) {
    const error = list[index];
    if (error === undefined || !isWithin(error.instancePath, at)) break;
    if (signatures.has(signature(error))) consumed.add(error);
  }
}

function isComposite(error: ErrorObject): boolean {
  return error.keyword === 'anyOf' || error.keyword === 'oneOf';
}

/** The branch is not meant for this value: wrong type, or a tag key with another constant. */
function isDiscriminatorFailure(error: ErrorObject, at: string): boolean {
  if (error.keyword === 'type') return error.instancePath === at;
  if (error.keyword !== 'const' && error.keyword !== 'enum') return false;
  return error.instancePath === at || parentOf(error.instancePath) === at;
}

function allowedValues(error: ErrorObject): string[] {
  const params: Record<string, unknown> = error.params;
  if (error.keyword === 'const') return [String(params.allowedValue)];
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues))
    return params.allowedValues.map(String);
  return [];
}

/** One Ajv error as an issue with a readable reason. Values are never quoted: they may be secrets. */
function describeError(error: ErrorObject, document: unknown): ConfigIssue {
  const at = error.instancePath;
  const params: Record<string, unknown> = error.params;
  switch (error.keyword) {
    case 'additionalProperties':
      return issue(`${at}/${escapeKey(String(params.additionalProperty))}`, 'unknown key');
    case 'required':
      return issue(`${at}/${escapeKey(String(params.missingProperty))}`, 'is required');
    case 'type':
      return issue(at, `must be ${String(params.type)}, got ${jsonType(valueAt(document, at))}`);
    case 'enum':
      return issue(at, `must be one of: ${allowedValues(error).join(', ')}`);
    case 'const':
      return issue(at, `must be ${JSON.stringify(params.allowedValue)}`);
    case 'format':
      return issue(at, `must be a valid ${String(params.format)}`);
    case 'pattern':
      return issue(at, `must match the pattern ${String(params.pattern)}`);
    case 'not': {
      const description = describeSchema(error.schema);
      return issue(
        at,
        description === undefined ? 'has a value that is not allowed' : `is not allowed: ${description}`,
      );
    }
    default:
      return issue(at, error.message ?? `fails the "${error.keyword}" rule`);
  }
}

function describeSchema(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || !('description' in schema)) return undefined;
  return typeof schema.description === 'string' ? schema.description : undefined;
}

function issue(instancePath: string, message: string): ConfigIssue {
  return { path: toDotted(instancePath), message };
}

function signature(error: ErrorObject): string {
  return `${error.instancePath}|${error.keyword}|${JSON.stringify(error.params)}`;
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function parentOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

function segments(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function escapeKey(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** `/serve/public/port` -> `serve.public.port`. */
function toDotted(instancePath: string): string {
  return segments(instancePath).join('.');
}

function valueAt(document: unknown, instancePath: string): unknown {
  let node: unknown = document;
  for (const key of segments(instancePath)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
