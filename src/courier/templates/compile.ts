import { TemplateError } from '../../proxy/template/index.js';
import { compileTemplateSet, type TemplateSetFile } from '../../proxy/template/template-set.js';
import { templateModel } from './model.js';
import type { CourierTemplateData, TemplatePart } from './types.js';

/** A compiled template part: data in, text out. Throws TemplateCompileError when the template fails. */
export type CompiledPart = (data: CourierTemplateData) => string;

/** Why a template source was refused; `message` is safe to print (it never holds the source). */
export class TemplateCompileError extends Error {
  readonly code = 'courier_template_invalid';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateCompileError';
  }
}

/** Data with every variable set, to render each template once at start. */
export const SAMPLE_TEMPLATE_DATA: CourierTemplateData = {
  To: 'someone@example.com',
  VerificationCode: '123456',
  VerificationURL: 'https://example.com/self-service/verification?flow=f&code=123456',
  RecoveryCode: '123456',
  RecoveryURL: 'https://example.com/self-service/recovery?flow=f&code=123456',
  Identity: { id: '00000000-0000-4000-8000-000000000000', traits: { email: 'someone@example.com' } },
  ExpiresInMinutes: 60,
  RequestURL: 'https://example.com/self-service/verification/browser',
  // What a step submitted without a transient_payload carries (as Kratos's ParseRawMessageOrEmpty).
  TransientPayload: {},
};

function describe(error: TemplateError): string {
  const kind = error.code === 'parse' ? 'is not a valid Go template' : 'fails';
  return `${kind}: ${error.message}${error.offset === undefined ? '' : ` (at offset ${error.offset})`}`;
}

/**
 * Compiles one template part from a set of files (one file, or Kratos's glob of an override
 * directory) and runs `entry` of it. As Kratos: subjects and plain text are text/template,
 * HTML bodies html/template (contextually escaped), with sprig's hermetic functions.
 *
 * What fails for any message (syntax, an unknown function or `{{template}}`, html/template's
 * escaper) throws TemplateCompileError, to stop the start. The part is then rendered once with
 * sample data: a failure there may only be the sample's (a trait the sample identity lacks,
 * `.Identity.traits.name.first`), so it is returned as a `warning`, not refused — Kratos, too,
 * only fails such a template for the message whose data breaks it.
 */
export function compilePart(
  files: readonly TemplateSetFile[],
  entry: string,
  part: TemplatePart,
): { render: CompiledPart; warning?: string } {
  let render: CompiledPart;
  try {
    const set = compileTemplateSet(files, { html: part === 'html' });
    if (!set.has(entry)) throw new TemplateError('parse', `no template "${entry}" in the set`);
    set.check(entry);
    render = (data) => {
      try {
        return set.execute(entry, templateModel(data));
      } catch (error) {
        if (error instanceof TemplateError) throw new TemplateCompileError(describe(error), { cause: error });
        throw error;
      }
    };
  } catch (error) {
    if (error instanceof TemplateError) throw new TemplateCompileError(describe(error), { cause: error });
    throw error;
  }
  let warning: string | undefined;
  try {
    render(SAMPLE_TEMPLATE_DATA);
  } catch (error) {
    if (!(error instanceof TemplateCompileError)) throw error;
    warning = `${error.message} with sample data; a message whose data does the same will fail to queue`;
  }
  const withWarning = (r: CompiledPart) => (warning === undefined ? { render: r } : { render: r, warning });
  if (part !== 'subject') return withWarning(render);
  // A subject is one header line: newlines from the file or the data never reach the header.
  return withWarning((data) => render(data).replace(/\s+/g, ' ').trim());
}
