import Handlebars from 'handlebars';
import type { CourierTemplateData, TemplatePart } from './types.js';

/** A compiled template part: data in, text out. */
export type CompiledPart = (data: CourierTemplateData) => string;

/** Why a template source was refused; `message` is safe to print (it never holds the source). */
export class TemplateCompileError extends Error {
  readonly code = 'courier_template_invalid';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateCompileError';
  }
}

// One isolated Handlebars environment: nothing another module registers leaks into emails.
const handlebars = Handlebars.create();

const GO_KEYWORDS = /^(if|range|with|define|template|block|end)\b/;

/**
 * Kratos's templates are Go templates; Portcullis's are Handlebars. A ported `.gotmpl` often
 * still parses as Handlebars (`{{ end }}` is a variable there) and would render wrong, so Go
 * syntax is refused with a hint instead.
 */
export function goTemplateHint(source: string): string | undefined {
  for (const match of source.matchAll(/\{\{(.*?)\}\}/gs)) {
    const inner = match[1] ?? '';
    const trimmed = inner.trim();
    if (
      inner.startsWith('-') ||
      inner.endsWith('-') ||
      /(^|[\s(])\.[A-Za-z]/.test(trimmed) ||
      GO_KEYWORDS.test(trimmed)
    ) {
      return `"{{${inner}}}" is Go template syntax; Portcullis templates use Handlebars: write {{VerificationCode}} for {{ .VerificationCode }} and {{#if X}}…{{/if}} for {{ if .X }}…{{ end }}`;
    }
  }
  return undefined;
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

/**
 * Compiles one template part. HTML escapes every `{{value}}` (`{{{value}}}` does not); subject
 * and plain text never escape. The part is rendered once with sample data, so a template
 * that only fails when used (a missing helper or partial) stops the start instead.
 */
export function compilePart(source: string, part: TemplatePart): CompiledPart {
  const hint = goTemplateHint(source);
  if (hint !== undefined) throw new TemplateCompileError(hint);
  let render: HandlebarsTemplateDelegate<CourierTemplateData>;
  try {
    handlebars.parse(source);
    render = handlebars.compile<CourierTemplateData>(source, { noEscape: part !== 'html', strict: false });
    render(SAMPLE_TEMPLATE_DATA);
  } catch (error) {
    // Handlebars parse errors quote the source with a pointer line; the first and last lines suffice.
    const lines = (error instanceof Error ? error.message : String(error)).split('\n');
    const reason = lines.length > 2 ? `${lines[0]} ${lines.at(-1)}` : lines.join(' ');
    throw new TemplateCompileError(`is not a valid Handlebars template: ${reason}`, { cause: error });
  }
  if (part !== 'subject') return render;
  // A subject is one header line: newlines from the file or the data never reach the header.
  return (data) => render(data).replace(/\s+/g, ' ').trim();
}
