/**
 * A flow's `ui` as HTML forms that post straight to `ui.action`, so the pages work with
 * JavaScript off.
 *
 * Grouping: nodes of the `default` group (the CSRF token, traits, the identifier) come first,
 * then each method's nodes (provider buttons, group `oidc`, last). When the default group shows nothing but hidden inputs and there
 * are several methods (settings: profile and password; the second registration step: password
 * and "back"), each method gets its own form carrying the hidden inputs, so the browser's
 * `required` checks of one method never block another. Otherwise the flow is one form.
 */

import type { UiText } from '../../selfservice/flow/messages.js';
import type { UiContainer, UiNode, UiNodeGroup } from '../../selfservice/flow/ui.js';
import { attributes, html, type SafeHtml, safeUrl } from '../html/escape.js';
import type { Translator, UiKey } from '../i18n/translator.js';
import { isHiddenInput, renderNode, rendersNothing } from './nodes.js';

/** One `<form>` of a page: its key (element id `form-<key>`) and nodes. */
export interface FormPlan {
  /** `flow` for the single form, else the method group. */
  readonly key: string;
  /** The method group a split form serves; undefined for the single form. */
  readonly group: UiNodeGroup | undefined;
  readonly nodes: readonly UiNode[];
}

/** Splits a flow's nodes into forms (see the module comment). */
export function planForms(nodes: readonly UiNode[]): FormPlan[] {
  const shared = nodes.filter(isShared);
  const groups: UiNodeGroup[] = [];
  for (const node of nodes) {
    // A method whose nodes all need JavaScript (a WebAuthn script, a captcha) gets no form.
    if (!isShared(node) && !rendersNothing(node) && !groups.includes(node.group)) groups.push(node.group);
  }
  // Provider buttons go after the other methods: in one form they would otherwise sit between
  // the identifier (default group) and the password it belongs with.
  groups.sort((a, b) => Number(a === 'oidc') - Number(b === 'oidc'));
  const sharedVisible = shared.some((n) => !isHiddenInput(n) && !rendersNothing(n));
  if (groups.length <= 1 || sharedVisible) {
    const ordered = [...shared, ...groups.flatMap((g) => nodes.filter((n) => n.group === g && !isShared(n)))];
    return [{ key: 'flow', group: undefined, nodes: ordered }];
  }
  return groups.map((group) => ({
    key: group,
    group,
    nodes: [...shared, ...nodes.filter((n) => n.group === group && !isShared(n))],
  }));
}

/**
 * Nodes every form carries: the `default` group's, and the hidden identifier of an
 * identifier-first login's credentials step, which the password and every other method sign in
 * with.
 */
function isShared(node: UiNode): boolean {
  return node.group === 'default' || (node.group === 'identifier_first' && isHiddenInput(node));
}

/** Hands out element ids unique within one page. */
export function idAllocator(): (prefix: string, name: string) => string {
  const used = new Set<string>();
  return (prefix, name) => {
    const base = `${prefix}-${name}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
}

/** The form's messages and the messages of its hidden inputs, shown above the form. */
export function renderFormMessages(messages: readonly UiText[], t: Translator, id: string): SafeHtml {
  if (messages.length === 0) return html``;
  return html`<div class="pc-messages" id="${id}">${messages.map(
    (m) =>
      html`<p${attributes({
        class: `pc-message pc-message--${m.type}`,
        role: m.type === 'error' ? 'alert' : 'status',
        'data-message-id': m.id,
      })}>${t.message(m)}</p>`,
  )}</div>`;
}

function groupKey(group: UiNodeGroup): UiKey {
  return `group.${group}` as UiKey;
}

/** Messages of hidden inputs (a CSRF problem, a trait carried along hidden), to show at the top. */
function hiddenNodeMessages(nodes: readonly UiNode[]): UiText[] {
  return nodes.filter(isHiddenInput).flatMap((n) => n.messages);
}

function uniqueMessages(messages: readonly UiText[]): UiText[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${m.id}\u0000${m.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface RenderFlowOptions {
  /** Give each split form a heading (`<h2>`) named after its method (settings). */
  readonly headings?: boolean;
  /** Names the forms in element ids and `data-flow` (login, registration, ...). */
  readonly flow: string;
}

/**
 * The flow's messages (`ui.messages`, `role="alert"` for errors) and its forms. Every visible
 * input has a `<label for>`; field messages follow their field and are bound to it with
 * `aria-describedby`.
 */
export function renderFlowUi(ui: UiContainer, t: Translator, options: RenderFlowOptions): SafeHtml {
  const ids = idAllocator();
  const plans = planForms(ui.nodes);
  const top = uniqueMessages([...(ui.messages ?? []), ...hiddenNodeMessages(ui.nodes)]);
  const action = safeUrl(ui.action) ?? '';
  const method = ui.method.toLowerCase() === 'get' ? 'get' : 'post';
  const split = plans.length > 1;
  const forms = plans.map((plan) => {
    const headingId = split ? ids('heading', plan.key) : undefined;
    const heading =
      split && options.headings && plan.group !== undefined
        ? html`<h2 id="${headingId}">${t.t(groupKey(plan.group))}</h2>`
        : '';
    const context = { t, id: (name: string) => ids(plan.key, name) };
    // No accessible name on forms: a form named "Password" would answer to the password field's label.
    const form = html`<form${attributes({
      class: 'pc-form',
      id: ids('form', plan.key),
      'data-flow': options.flow,
      'data-group': plan.group,
      method,
      action,
    })}>${plan.nodes.map((node) => renderNode(node, context))}</form>`;
    return split && options.headings
      ? html`<section class="pc-section" data-group="${plan.group}">${heading}${form}</section>`
      : form;
  });
  return html`${renderFormMessages(top, t, 'flow-messages')}${forms}`;
}
