/**
 * A Go text/template interpreter with Oathkeeper's function map (Go's builtins, its `print`
 * and `printIndex`, sprig's functions) and its `missingkey=zero` (see
 * docs/proxy-templates.md). Compile once when a rule loads, execute per request:
 *
 * ```ts
 * const compiled = compileTemplate('{{ print .Subject }}');
 * if (!compiled.ok) throw compiled.error;
 * const out = compiled.template.execute({ Subject: 'alice' }); // { ok: true, value: 'alice' }
 * ```
 */
import type { Node } from './ast.js';
import { compileDirect, DEFER } from './direct.js';
import { TemplateError } from './errors.js';
import { type ExecLimits, Executor } from './exec.js';
import { FUNCTIONS } from './functions.js';
import { lex } from './lexer.js';
import { parse } from './parser.js';

export { TemplateError, type TemplateErrorCode } from './errors.js';
export { canonicalHeaderKey, MISSING, MultiMap, TemplateObject, TemplateUrl } from './values.js';

/** Largest template source accepted. */
export const MAX_SOURCE_LENGTH = 64 * 1024;

export const DEFAULT_LIMITS: ExecLimits = { maxOutput: 64 * 1024, maxRangeIterations: 10_000 };

export type TemplateResult<T> = { ok: true; value: T } | { ok: false; error: TemplateError };

export interface CompiledTemplate {
  readonly source: string;
  /** Renders the template against `data`; never throws for template faults. */
  execute(data: unknown, limits?: Partial<ExecLimits>): TemplateResult<string>;
}

export function compileTemplate(
  source: string,
): { ok: true; template: CompiledTemplate } | { ok: false; error: TemplateError } {
  if (source.length > MAX_SOURCE_LENGTH) {
    return {
      ok: false,
      error: new TemplateError('limit', `template longer than ${MAX_SOURCE_LENGTH} characters`),
    };
  }
  let nodes: Node[];
  try {
    nodes = parse(lex(source), (name) => FUNCTIONS.has(name));
  } catch (error) {
    if (error instanceof TemplateError) return { ok: false, error };
    throw error;
  }
  const direct = compileDirect(nodes);
  return {
    ok: true,
    template: {
      source,
      execute(data, limits) {
        if (direct !== undefined) {
          try {
            const value = direct(data, limits?.maxOutput ?? DEFAULT_LIMITS.maxOutput);
            if (value !== DEFER) return { ok: true, value };
          } catch {
            // The executor below meets the same fault and reports it in its words.
          }
        }
        try {
          const value = new Executor(data, { ...DEFAULT_LIMITS, ...limits }).run(nodes, data);
          return { ok: true, value };
        } catch (error) {
          if (error instanceof TemplateError) return { ok: false, error };
          if (error instanceof RangeError) {
            return { ok: false, error: new TemplateError('limit', 'template evaluation too deep') };
          }
          throw error;
        }
      },
    },
  };
}
