/**
 * Just enough HTML reading for tests of the built-in UI without a browser: the forms of a page
 * (action, method, fields, submit buttons) and elements by id or attribute. It reads the
 * markup the UI writes (double-quoted attributes, escaped text), not arbitrary HTML.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#96': '`' };

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#96);/g, (_m, name: string) => ENTITIES[name] ?? '');
}

/** The attributes of one start tag, decoded; bare attributes map to ''. */
export function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = tag.replace(/^<[a-zA-Z0-9]+/, '').replace(/\/?>$/, '');
  for (const match of body.matchAll(/([a-zA-Z][a-zA-Z0-9-]*)(?:="([^"]*)")?/g)) {
    out[match[1] as string] = decodeEntities(match[2] ?? '');
  }
  return out;
}

export interface FormButton {
  name: string | undefined;
  value: string | undefined;
  text: string;
  attributes: Record<string, string>;
}

export interface FormField {
  tag: 'input' | 'select';
  name: string;
  type: string;
  value: string | undefined;
  attributes: Record<string, string>;
  /** For selects: the option values. */
  options?: string[];
}

export interface HtmlForm {
  id: string | undefined;
  action: string;
  method: string;
  attributes: Record<string, string>;
  fields: FormField[];
  buttons: FormButton[];
  html: string;
}

function textOf(markup: string): string {
  return decodeEntities(markup.replace(/<[^>]*>/g, '')).trim();
}

/** Every `<form>` of a page. */
export function formsOf(page: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of page.matchAll(/(<form\b[^>]*>)([\s\S]*?)<\/form>/g)) {
    const attributes = attributesOf(match[1] as string);
    const inner = match[2] as string;
    const fields: FormField[] = [];
    for (const input of inner.matchAll(/<input\b[^>]*>/g)) {
      const a = attributesOf(input[0]);
      if (a.name === undefined) continue;
      fields.push({ tag: 'input', name: a.name, type: a.type ?? 'text', value: a.value, attributes: a });
    }
    for (const select of inner.matchAll(/(<select\b[^>]*>)([\s\S]*?)<\/select>/g)) {
      const a = attributesOf(select[1] as string);
      const options = [...(select[2] as string).matchAll(/<option\b[^>]*>/g)].map((o) => attributesOf(o[0]));
      const selected = options.find((o) => 'selected' in o);
      fields.push({
        tag: 'select',
        name: a.name ?? '',
        type: 'select',
        value: selected?.value,
        attributes: a,
        options: options.map((o) => o.value ?? ''),
      });
    }
    const buttons: FormButton[] = [...inner.matchAll(/(<button\b[^>]*>)([\s\S]*?)<\/button>/g)].map((b) => {
      const a = attributesOf(b[1] as string);
      return { name: a.name, value: a.value, text: textOf(b[2] as string), attributes: a };
    });
    forms.push({
      id: attributes.id,
      action: attributes.action ?? '',
      method: attributes.method ?? 'get',
      attributes,
      fields,
      buttons,
      html: match[0],
    });
  }
  return forms;
}

/** The form with element id `id`; throws when there is none. */
export function formById(page: string, id: string): HtmlForm {
  const form = formsOf(page).find((f) => f.id === id);
  if (!form) throw new Error(`no form #${id} in:\n${page}`);
  return form;
}

/**
 * The body a browser posts for `form` when `button` is clicked: every named input (checkboxes
 * only when checked, never unchecked ones), selects, the changes in `fill`, then the button.
 */
export function submission(
  form: HtmlForm,
  fill: Record<string, string>,
  button: { name?: string; value?: string; text?: string } = {},
): URLSearchParams {
  const body = new URLSearchParams();
  const filled = new Set<string>();
  for (const field of form.fields) {
    if (field.type === 'checkbox' && !('checked' in field.attributes) && fill[field.name] === undefined)
      continue;
    const value = fill[field.name] ?? field.value ?? '';
    body.append(field.name, value);
    filled.add(field.name);
  }
  for (const [name, value] of Object.entries(fill)) if (!filled.has(name)) body.append(name, value);
  const clicked = form.buttons.find(
    (b) =>
      (button.name === undefined || b.name === button.name) &&
      (button.value === undefined || b.value === button.value) &&
      (button.text === undefined || b.text === button.text),
  );
  if (!clicked) throw new Error(`no such button in form #${form.id}: ${JSON.stringify(button)}`);
  if (clicked.name !== undefined) body.append(clicked.name, clicked.value ?? '');
  return body;
}

/** The start tag and inner HTML of the element with this id, or undefined. */
export function elementById(
  page: string,
  id: string,
): { attributes: Record<string, string>; text: string; html: string } | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const start = new RegExp(`<([a-zA-Z0-9]+)\\b[^>]*\\bid="${escaped}"[^>]*>`).exec(page);
  if (!start) return undefined;
  const tag = start[1] as string;
  const rest = page.slice(start.index + start[0].length);
  const end = rest.indexOf(`</${tag}>`);
  const inner = end === -1 ? '' : rest.slice(0, end);
  return { attributes: attributesOf(start[0]), text: textOf(inner), html: inner };
}
