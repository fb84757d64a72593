import { type CompiledTemplate, compileTemplate } from '../../template/index.js';
import { internalError } from '../errors.js';
import type { Prepared } from '../handler.js';
import { type AuthenticationSession, templateData } from '../session.js';

/** Compiles a `name -> template` map at rule load. */
export function compileTemplateMap(what: string, raw: unknown): Prepared<Array<[string, CompiledTemplate]>> {
  const out: Array<[string, CompiledTemplate]> = [];
  for (const [name, source] of Object.entries((raw ?? {}) as Record<string, string>)) {
    const compiled = compileTemplate(source);
    if (!compiled.ok) return { ok: false, message: `${what} "${name}": ${compiled.error.message}` };
    out.push([name, compiled.template]);
  }
  return { ok: true, config: out };
}

/** Renders each template against the session; a template fault is a 500. */
export function renderTemplateMap(
  templates: Array<[string, CompiledTemplate]>,
  session: AuthenticationSession,
):
  | { kind: 'ok'; values: Array<[string, string]> }
  | { kind: 'error'; error: ReturnType<typeof internalError> } {
  const data = templateData(session);
  const values: Array<[string, string]> = [];
  for (const [name, template] of templates) {
    const result = template.execute(data);
    if (!result.ok)
      return { kind: 'error', error: internalError(`template for "${name}": ${result.error.message}`) };
    values.push([name, result.value]);
  }
  return { kind: 'ok', values };
}
