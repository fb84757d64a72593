/**
 * One flow node as HTML: inputs (text-like, select for enums, checkbox, hidden, password,
 * submit and button), texts, links and images. Scripts and divisions are left out: the pages
 * run no JavaScript, and what they drive (WebAuthn, captchas) cannot work without it.
 */

import type { UiText } from '../../selfservice/flow/messages.js';
import type {
  UiInputNode,
  UiNode,
  UiNodeAnchorAttributes,
  UiNodeImageAttributes,
  UiNodeOf,
  UiNodeTextAttributes,
} from '../../selfservice/flow/ui.js';
import { attributes, html, type SafeHtml, safeUrl } from '../html/escape.js';
import type { Translator } from '../i18n/translator.js';

/** What rendering a node needs besides the node. */
export interface NodeContext {
  readonly t: Translator;
  /** A page-unique element id for a field of this form. */
  id(name: string): string;
}

/** The text a node is labelled with: `meta.label`, else the input's own `label`. */
export function labelOf(node: UiNode, t: Translator): string | undefined {
  const label =
    node.meta.label ?? (node.attributes.node_type === 'input' ? node.attributes.label : undefined);
  return label === undefined ? undefined : t.message(label);
}

/** A value as a form field shows it. */
export function fieldValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Whether a node renders as a hidden input (no label, no visible part). */
export function isHiddenInput(node: UiNode): boolean {
  return node.attributes.node_type === 'input' && node.attributes.type === 'hidden';
}

/** Whether a node renders nothing at all. */
export function rendersNothing(node: UiNode): boolean {
  return node.attributes.node_type === 'script' || node.attributes.node_type === 'div';
}

function messageList(messages: readonly UiText[], id: string, t: Translator): SafeHtml {
  return html`<div class="pc-field-messages" id="${id}">${messages.map(
    (m) =>
      html`<p class="pc-field-message pc-field-message--${m.type}" data-message-id="${m.id}">${t.message(m)}</p>`,
  )}</div>`;
}

function hasError(messages: readonly UiText[]): boolean {
  return messages.some((m) => m.type === 'error');
}

function renderInput(node: UiInputNode, context: NodeContext): SafeHtml {
  const a = node.attributes;
  const { t } = context;
  if (a.type === 'hidden') {
    return html`<input${attributes({ type: 'hidden', name: a.name, value: fieldValue(a.value) })}>`;
  }
  const label = labelOf(node, t);
  if (a.type === 'submit' || a.type === 'button') return renderButton(node, label, context);

  const id = context.id(a.name);
  const messagesId = `${id}-messages`;
  const describedBy = node.messages.length > 0 ? messagesId : undefined;
  const invalid = hasError(node.messages) ? 'true' : undefined;
  const messages = node.messages.length > 0 ? messageList(node.messages, messagesId, t) : '';
  const labelHtml = html`<label for="${id}">${label ?? a.name}</label>`;
  const common = {
    id,
    name: a.name,
    required: a.required === true,
    disabled: a.disabled,
    'aria-describedby': describedBy,
    'aria-invalid': invalid,
  };

  if (a.type === 'checkbox') {
    return html`<div class="pc-field pc-field--checkbox" data-node="${a.name}"><input${attributes({
      type: 'checkbox',
      ...common,
      value: 'true',
      checked: a.value === true || a.value === 'true',
    })}>${labelHtml}${messages}</div>`;
  }

  if (a.options !== undefined && a.options.length > 0) {
    const current = fieldValue(a.value);
    const options = a.options.map((option) => {
      const value = fieldValue(option.value) ?? '';
      return html`<option${attributes({ value, selected: value === current })}>${value}</option>`;
    });
    return html`<div class="pc-field" data-node="${a.name}">${labelHtml}<select${attributes({
      ...common,
      autocomplete: a.autocomplete,
    })}><option value="">${t.t('form.select_placeholder')}</option>${options}</select>${messages}</div>`;
  }

  const input = attributes({
    ...common,
    type: a.type,
    // A password is never written back into a page.
    value: a.type === 'password' ? undefined : fieldValue(a.value),
    autocomplete: a.autocomplete,
    pattern: a.pattern,
    maxlength: a.maxlength,
    step: a.type === 'number' ? 'any' : undefined,
    inputmode: a.autocomplete === 'one-time-code' ? 'numeric' : undefined,
    spellcheck: a.type === 'text' || a.type === 'email' ? 'false' : undefined,
    autocapitalize: a.type === 'email' || a.name === 'identifier' ? 'none' : undefined,
  });
  return html`<div class="pc-field" data-node="${a.name}">${labelHtml}<input${input}>${messages}</div>`;
}

function renderButton(node: UiInputNode, label: string | undefined, context: NodeContext): SafeHtml {
  const a = node.attributes;
  const value = fieldValue(a.value);
  // `method` buttons submit what the form asks for; others (resend a code, go back a step,
  // pick a provider) must not be held up by the browser's checks of fields they do not use.
  const primary = a.name === 'method';
  const button = html`<button${attributes({
    class: primary ? 'pc-button' : 'pc-button pc-button--secondary',
    type: a.type === 'submit' ? 'submit' : 'button',
    name: a.name,
    value,
    disabled: a.disabled,
    formnovalidate: a.type === 'submit' && !primary,
    'data-node': a.name,
  })}>${label ?? value ?? a.name}</button>`;
  if (node.messages.length === 0) return button;
  const id = `${context.id(`${a.name}-${value ?? ''}`)}-messages`;
  return html`<div class="pc-field">${button}${messageList(node.messages, id, context.t)}</div>`;
}

/** The `secrets` of a text node's context (lookup secrets), when it lists texts. */
function secretsOf(text: UiText): UiText[] {
  const secrets = text.context?.secrets;
  if (!Array.isArray(secrets)) return [];
  return secrets.filter(
    (s): s is UiText =>
      typeof s === 'object' && s !== null && typeof (s as { text?: unknown }).text === 'string',
  );
}

function renderText(node: UiNodeOf<UiNodeTextAttributes>, context: NodeContext): SafeHtml {
  const { t } = context;
  const label = labelOf(node, t);
  const text = node.attributes.text;
  const secrets = secretsOf(text);
  const body =
    secrets.length > 0
      ? html`<ul class="pc-secrets">${secrets.map((s) => html`<li><code>${t.message(s)}</code></li>`)}</ul>`
      : html`<p data-message-id="${text.id}"><code class="pc-code">${t.message(text)}</code></p>`;
  return html`<div class="pc-text" id="${context.id(node.attributes.id)}" data-node="${node.attributes.id}">${
    label === undefined ? '' : html`<p class="pc-label">${label}</p>`
  }${body}</div>`;
}

function renderAnchor(node: UiNodeOf<UiNodeAnchorAttributes>, context: NodeContext): SafeHtml {
  const title = context.t.message(node.attributes.title);
  const href = safeUrl(node.attributes.href);
  if (href === undefined) return html`<p>${title}</p>`;
  return html`<p><a${attributes({
    class: 'pc-button pc-button--secondary',
    href,
    id: context.id(node.attributes.id),
    'data-node': node.attributes.id,
  })}>${title}</a></p>`;
}

function renderImage(node: UiNodeOf<UiNodeImageAttributes>, context: NodeContext): SafeHtml {
  const src = safeUrl(node.attributes.src, { allowDataImage: true });
  if (src === undefined) return html``;
  const label = labelOf(node, context.t);
  return html`<figure class="pc-text">${label === undefined ? '' : html`<figcaption class="pc-label">${label}</figcaption>`}<img${attributes(
    {
      src,
      alt: label ?? '',
      width: node.attributes.width || undefined,
      height: node.attributes.height || undefined,
      id: context.id(node.attributes.id),
    },
  )}></figure>`;
}

/** Renders one node; nodes that need JavaScript (scripts, divisions) render nothing. */
export function renderNode(node: UiNode, context: NodeContext): SafeHtml {
  switch (node.attributes.node_type) {
    case 'input':
      return renderInput(node as UiInputNode, context);
    case 'text':
      return renderText(node as UiNodeOf<UiNodeTextAttributes>, context);
    case 'a':
      return renderAnchor(node as UiNodeOf<UiNodeAnchorAttributes>, context);
    case 'img':
      return renderImage(node as UiNodeOf<UiNodeImageAttributes>, context);
    default:
      return html``;
  }
}
