/**
 * HTML that is safe by construction. Pages are written with the {@link html} template tag:
 * every interpolated value is escaped for both text and (double-quoted) attribute contexts
 * unless it is already {@link SafeHtml} built the same way. Nothing else produces SafeHtml
 * except {@link unsafeRaw}, used only for markup written in this code base.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character] ?? character);
}

/** Markup that may be written out as is. */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

/** What a page interpolates: text and numbers are escaped, SafeHtml kept, empties dropped. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The template tag: `html\`<p title="${title}">${text}</p>\``. `true`/`false`/`null`/
 * `undefined` render as nothing (so `${cond && html\`...\`}` works); arrays are joined.
 */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup from this code base (never from input), e.g. a constant. */
export function unsafeRaw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** An attribute value: text to escape, `true` for a bare attribute, anything else to leave out. */
export type AttributeValue = string | number | boolean | null | undefined;

const ATTRIBUTE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * ` name="value"` for each attribute that has a value, in the given order. Names come from
 * code and must be plain lower-case names; values are escaped.
 */
export function attributes(list: Readonly<Record<string, AttributeValue>>): SafeHtml {
  let out = '';
  for (const [name, value] of Object.entries(list)) {
    if (!ATTRIBUTE_NAME.test(name)) throw new Error(`not an attribute name: ${name}`);
    if (value === undefined || value === null || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return new SafeHtml(out);
}

/**
 * A URL fit for `href`/`src`: absolute http(s), or a path on this origin. Anything else
 * (`javascript:`, `data:`, protocol-relative `//host`) gives `undefined`.
 */
export function safeUrl(url: string, options: { allowDataImage?: boolean } = {}): string | undefined {
  const trimmed = url.trim();
  if (trimmed.startsWith('/') && !trimmed.startsWith('//') && !trimmed.startsWith('/\\')) return trimmed;
  if (options.allowDataImage && /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]+$/.test(trimmed))
    return trimmed;
  try {
    const parsed = new URL(trimmed);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
