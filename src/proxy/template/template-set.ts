/**
 * Go template *sets*, as Kratos's courier loads them (courier/template/load_template.go):
 * one or more files parsed into one set (`ParseFS`/`ParseGlob`: each file is a template named
 * by its base name, and every `{{define}}`/`{{block}}` in any file is a template of the set),
 * executed by name; `{{template "name" .}}` runs another template of the set. In HTML mode
 * the set is escaped as html/template does (./html-escape.ts) before it runs.
 *
 * The function table is sprig's *hermetic* one, as Kratos passes (`sprig.HermeticTxtFuncMap`,
 * `HermeticHtmlFuncMap`) — no `env`, `expandenv`, `now`, `date`, random or `uuidv4` — with Go's
 * own `print` (Oathkeeper's override and `printIndex` are Oathkeeper's only).
 */
import type { Node } from './ast.js';
import { TemplateError } from './errors.js';
import { type ExecLimits, Executor } from './exec.js';
import { sprint } from './format.js';
import { FUNCTIONS, type GoFunction } from './functions.js';
import { escapeHtmlSet } from './html-escape.js';
import { lex } from './lexer.js';
import { parseSetFile } from './parser.js';
import { variadic } from './signature.js';

/** Sprig's nonhermeticFunctions (sprig v3 functions.go), and Oathkeeper's additions. */
const NOT_HERMETIC = new Set([
  'date',
  'date_in_zone',
  'date_modify',
  'now',
  'htmlDate',
  'htmlDateInZone',
  'dateInZone',
  'dateModify',
  'randAlphaNum',
  'randAlpha',
  'randAscii',
  'randNumeric',
  'randBytes',
  'uuidv4',
  'env',
  'expandenv',
  'getHostByName',
  'printIndex',
]);

/** Go's builtins and sprig's hermetic functions, with Go's `print` (fmt.Sprint). */
export const HERMETIC_FUNCTIONS: ReadonlyMap<string, GoFunction> = new Map<string, GoFunction>([
  ...[...FUNCTIONS].filter(([name]) => !NOT_HERMETIC.has(name)),
  ['print', variadic([], 'any', (...args) => sprint(args))],
]);

/** Largest file of a set. */
export const MAX_SET_FILE_LENGTH = 512 * 1024;

export const SET_LIMITS: ExecLimits = { maxOutput: 1024 * 1024, maxRangeIterations: 10_000 };

export interface TemplateSetFile {
  /** The template's name: a file's base name, or a URL for a single fetched template. */
  name: string;
  source: string;
}

export interface TemplateSet {
  /** Runs the template `name` (a file or a `{{define}}`) against `data`. Throws TemplateError. */
  execute(name: string, data: unknown): string;
  has(name: string): boolean;
  /**
   * What fails for any data, checked without running: `name` is missing, a `{{template}}` it
   * reaches names no template, or (HTML) html/template's escaper refuses it. Throws TemplateError.
   */
  check(name: string): void;
}

/** Every `{{template}}` reachable from `nodes` names a template of the set. */
function checkCalls(nodes: readonly Node[], templates: ReadonlyMap<string, Node[]>, seen: Set<string>): void {
  for (const node of nodes) {
    switch (node.type) {
      case 'template': {
        const body = templates.get(node.name);
        if (body === undefined) throw new TemplateError('exec', `no such template "${node.name}"`, node.pos);
        if (!seen.has(node.name)) {
          seen.add(node.name);
          checkCalls(body, templates, seen);
        }
        break;
      }
      case 'if':
      case 'with':
        checkCalls(node.then, templates, seen);
        checkCalls(node.otherwise ?? [], templates, seen);
        break;
      case 'range':
        checkCalls(node.body, templates, seen);
        checkCalls(node.otherwise ?? [], templates, seen);
        break;
    }
  }
}

/** Go's IsEmptyTree: only whitespace text (and defines, which are not in the tree). */
function isEmpty(nodes: Node[]): boolean {
  return nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

/**
 * Parses `files` into one set, in order. As Go's `associate`, a later definition of a name
 * replaces an earlier one unless it is empty. Throws TemplateError('parse') naming the file.
 */
export function compileTemplateSet(
  files: readonly TemplateSetFile[],
  options: { html: boolean; functions?: ReadonlyMap<string, GoFunction>; limits?: Partial<ExecLimits> },
): TemplateSet {
  const functions = options.functions ?? HERMETIC_FUNCTIONS;
  const templates = new Map<string, Node[]>();
  const add = (name: string, nodes: Node[]) => {
    const existing = templates.get(name);
    if (existing !== undefined && isEmpty(nodes) && !isEmpty(existing)) return;
    templates.set(name, nodes);
  };
  for (const file of files) {
    if (file.source.length > MAX_SET_FILE_LENGTH) {
      throw new TemplateError(
        'limit',
        `${file.name}: template longer than ${MAX_SET_FILE_LENGTH} characters`,
      );
    }
    const defines: Array<{ name: string; nodes: Node[] }> = [];
    let nodes: Node[];
    try {
      nodes = parseSetFile(lex(file.source), (name) => functions.has(name), defines);
    } catch (error) {
      // In a set of several files, say which one failed.
      if (error instanceof TemplateError && files.length > 1) {
        throw new TemplateError(error.code, `${file.name}: ${error.message}`, error.offset);
      }
      throw error;
    }
    add(file.name, nodes);
    for (const define of defines) add(define.name, define.nodes);
  }
  const limits = { ...SET_LIMITS, ...options.limits };
  // html/template escapes each entry point once, for the text context; the copies it makes for
  // other contexts are shared.
  const escaped = new Map<string, { entry: Node[]; templates: Map<string, Node[]> }>();
  const prepare = (name: string) => {
    let prepared = escaped.get(name);
    if (prepared === undefined) {
      const entry = templates.get(name);
      if (entry === undefined) throw new TemplateError('exec', `no such template "${name}"`);
      prepared = options.html ? escapeHtmlSet(entry, templates) : { entry, templates };
      escaped.set(name, prepared);
    }
    return prepared;
  };
  return {
    has: (name) => templates.has(name),
    check(name) {
      const { entry, templates: named } = prepare(name);
      checkCalls(entry, named, new Set());
    },
    execute(name, data) {
      const { entry, templates: named } = prepare(name);
      try {
        return new Executor(data, limits, { functions, templates: named }).run(entry, data);
      } catch (error) {
        if (error instanceof RangeError) throw new TemplateError('limit', 'template evaluation too deep');
        throw error;
      }
    },
  };
}
