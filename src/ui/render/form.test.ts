import { describe, expect, it } from 'vitest';
import type { UiText } from '../../selfservice/flow/messages.js';
import { Msg, uiText } from '../../selfservice/flow/messages.js';
import {
  csrfNode,
  inputNode,
  submitNode,
  type UiContainer,
  type UiNode,
  uiContainer,
} from '../../selfservice/flow/ui.js';
import { codeEntryNodes } from '../../selfservice/nodes/address-flows.js';
import {
  identifierFirstCredentialNodes,
  identifierFirstNodes,
  loginPasswordNodes,
  loginPasswordRefreshNodes,
  registrationPasswordNodes,
  registrationPasswordStepNodes,
  settingsNodes,
  withNodeMessages,
} from '../../selfservice/nodes/index.js';
import { examSchema, nestedTelSchema } from '../../selfservice/nodes/testing/schemas.js';
import { BUILTIN_LOCALES } from '../i18n/load.js';
import { createTranslations } from '../i18n/translator.js';
import { formById, formsOf } from '../testing/html.js';
import { planForms, renderFlowUi } from './form.js';

const t = createTranslations([BUILTIN_LOCALES]).forRequest('en');
const ACTION = 'http://127.0.0.1:4433/self-service/registration?flow=f1';
const CSRF = `${'A'.repeat(86)}==`;

function render(
  nodes: UiNode[],
  options: { messages?: UiText[]; flow?: string; headings?: boolean } = {},
): string {
  const ui: UiContainer = uiContainer(ACTION, [csrfNode(CSRF), ...nodes], options.messages);
  return renderFlowUi(ui, t, { flow: options.flow ?? 'registration', headings: options.headings }).toString();
}

describe('planForms', () => {
  it('keeps a flow with visible default fields in one form, default group first', () => {
    const nodes = [csrfNode(CSRF), ...registrationPasswordNodes(examSchema, { style: 'unified' })];
    const plans = planForms(nodes);
    expect(plans.map((p) => p.key)).toEqual(['flow']);
    expect(plans[0]?.nodes.map((n) => n.group)).toEqual([
      'default',
      'default',
      'default',
      'default',
      'default',
      'password',
      'password',
    ]);
  });

  it("carries an identifier-first login's hidden identifier in every method's form", () => {
    const label = uiText(Msg.InfoNodeLabelID);
    const provider = submitNode('oidc', 'provider', 'github', uiText(Msg.InfoNodeLabelContinue));
    const first = planForms([provider, csrfNode(CSRF), ...identifierFirstNodes(label)]);
    expect(first.map((p) => p.key)).toEqual(['identifier_first', 'oidc']);

    const credentials = [
      provider,
      csrfNode(CSRF),
      ...identifierFirstCredentialNodes(label, 'ada@example.test', true),
    ];
    const plans = planForms(credentials);
    expect(plans.map((p) => p.key)).toEqual(['password', 'oidc']);
    for (const plan of plans) {
      expect(plan.nodes.map((n) => (n.attributes as { name?: string }).name)).toContain('identifier');
    }
  });

  it('gives each method its own form when the default group is only hidden inputs', () => {
    const nodes = [
      csrfNode(CSRF),
      ...settingsNodes(examSchema, { traits: { email: 'a@b.test' }, profile: true, password: true }),
    ];
    const plans = planForms(nodes);
    expect(plans.map((p) => p.key)).toEqual(['profile', 'password']);
    for (const plan of plans) expect(plan.nodes[0]?.attributes).toMatchObject({ name: 'csrf_token' });
  });
});

describe('renderFlowUi', () => {
  it('renders a registration form that posts to the flow, with labels bound to every field', () => {
    const html = render(registrationPasswordNodes(nestedTelSchema, { style: 'unified' }));
    const form = formById(html, 'form-flow');
    expect(form.action).toBe(ACTION);
    expect(form.method).toBe('post');
    expect(form.attributes['data-flow']).toBe('registration');
    for (const field of form.fields.filter((f) => f.type !== 'hidden')) {
      expect(html).toContain(`<label for="${field.attributes.id}">`);
    }
    expect(form.fields.map((f) => [f.name, f.type])).toEqual([
      ['csrf_token', 'hidden'],
      ['traits.phone', 'tel'],
      ['traits.name.first', 'text'],
      ['traits.name.last', 'text'],
      ['traits.birthday', 'date'],
      ['traits.newsletter', 'checkbox'],
      ['password', 'password'],
    ]);
    expect(form.fields[0]?.value).toBe(CSRF);
    expect(form.buttons).toEqual([
      expect.objectContaining({ name: 'method', value: 'password', text: 'Sign up' }),
    ]);
    expect(form.buttons[0]?.attributes).not.toHaveProperty('formnovalidate');
  });

  it('labels fields from meta.label (the schema title), else the attribute label, else the name', () => {
    const html = render([
      inputNode('default', 'traits.a', 'text', {
        metaLabel: uiText(Msg.InfoNodeLabelGenerated, { title: 'Given name', name: 'traits.a' }),
      }),
      inputNode('default', 'traits.b', 'text', { label: uiText(Msg.InfoNodeLabelEmail) }),
      inputNode('default', 'traits.c', 'text'),
    ]);
    expect(html).toContain('<label for="flow-traits.a">Given name</label>');
    expect(html).toContain('<label for="flow-traits.b">Email</label>');
    expect(html).toContain('<label for="flow-traits.c">traits.c</label>');
  });

  it('makes an enum a select with the current value chosen', () => {
    const nodes = registrationPasswordNodes(examSchema, {
      style: 'unified',
      values: { user_type: 'educator' },
    });
    const html = render(nodes);
    expect(html).toContain(
      '<select id="flow-traits.user_type" name="traits.user_type" required><option value="">Choose…</option><option value="student">student</option><option value="educator" selected>educator</option></select>',
    );
  });

  it('passes autocomplete, required, pattern, maxlength and type through', () => {
    const html = render(codeEntryNodes('verification', 'ada@example.test'), { flow: 'verification' });
    expect(html).toContain(
      '<input id="flow-code" name="code" required type="text" autocomplete="one-time-code" pattern="[0-9]+" maxlength="6" inputmode="numeric" spellcheck="false">',
    );
  });

  it('posts each submit button with its own name and value; only method buttons run the browser checks', () => {
    const html = render(codeEntryNodes('recovery', 'ada@example.test'), { flow: 'recovery' });
    const form = formById(html, 'form-flow');
    expect(form.fields.filter((f) => f.name === 'method')).toEqual([
      expect.objectContaining({ type: 'hidden', value: 'code' }),
    ]);
    expect(form.buttons.map((b) => [b.name, b.value, b.text, 'formnovalidate' in b.attributes])).toEqual([
      ['method', 'code', 'Continue', false],
      ['email', 'ada@example.test', 'Resend code', true],
    ]);
  });

  it('shows field messages next to the field, bound with aria-describedby, and keeps the values', () => {
    const nodes = withNodeMessages(
      registrationPasswordNodes(examSchema, {
        style: 'unified',
        values: { email: 'ada@example.test', phone_number: 5550100 },
      }),
      { 'traits.fullname': [uiText(Msg.ErrorValidationRequired, { property: 'fullname' })] },
    );
    const html = render(nodes);
    expect(html).toContain(
      '<input id="flow-traits.fullname" name="traits.fullname" required aria-describedby="flow-traits.fullname-messages" aria-invalid="true" type="text" spellcheck="false"><div class="pc-field-messages" id="flow-traits.fullname-messages"><p class="pc-field-message pc-field-message--error" data-message-id="4000002">Property fullname is missing.</p></div>',
    );
    const form = formById(html, 'form-flow');
    expect(form.fields.find((f) => f.name === 'traits.email')?.value).toBe('ada@example.test');
    expect(form.fields.find((f) => f.name === 'traits.phone_number')?.value).toBe('5550100');
  });

  it('shows form messages at the top, errors as alerts and the rest as status', () => {
    const html = render(
      loginPasswordNodes({ identifierLabel: uiText(Msg.InfoNodeLabelEmail), identifier: 'ada' }),
      {
        messages: [uiText(Msg.ErrorValidationInvalidCredentials), uiText(Msg.InfoSelfServiceLogin)],
        flow: 'login',
      },
    );
    expect(html.indexOf('id="flow-messages"')).toBeLessThan(html.indexOf('<form'));
    expect(html).toContain('<p class="pc-message pc-message--error" role="alert" data-message-id="4000006">');
    expect(html).toContain(
      '<p class="pc-message pc-message--info" role="status" data-message-id="1010001">Sign in</p>',
    );
  });

  it('shows messages of hidden fields at the top, once', () => {
    const step = withNodeMessages(
      registrationPasswordStepNodes(examSchema, { values: { email: 'a@b.test' } }),
      {
        'traits.fullname': [uiText(Msg.ErrorValidationRequired, { property: 'fullname' })],
      },
    );
    const html = render(step);
    expect(html.match(/data-message-id="4000002"/g)).toHaveLength(1);
    expect(html.indexOf('data-message-id="4000002"')).toBeLessThan(html.indexOf('<form'));
  });

  it('never writes a password value back into the page', () => {
    const node = inputNode('password', 'password', 'password', { value: 'hunter2 secret', required: true });
    expect(
      render([node, submitNode('password', 'method', 'password', uiText(Msg.InfoNodeLabelSave))]),
    ).not.toContain('hunter2');
  });

  it('gives settings methods separate forms under headings, with unique ids', () => {
    const nodes = settingsNodes(examSchema, {
      traits: { email: 'ada@example.test', fullname: 'Ada', phone_number: 1, user_type: 'student' },
      profile: true,
      password: true,
    });
    const html = render(nodes, { flow: 'settings', headings: true });
    expect(formsOf(html).map((f) => f.id)).toEqual(['form-profile', 'form-password']);
    expect(html).toContain('<h2 id="heading-profile">Profile</h2>');
    expect(html).toContain('<h2 id="heading-password">Password</h2>');
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('renders a refresh login with the identifier hidden', () => {
    const html = render(loginPasswordRefreshNodes('ada@example.test'), { flow: 'login' });
    const form = formById(html, 'form-flow');
    expect(form.fields.find((f) => f.name === 'identifier')).toMatchObject({
      type: 'hidden',
      value: 'ada@example.test',
    });
  });

  it('renders checkboxes checked from their value, with the label after the box', () => {
    const html = render([
      inputNode('default', 'traits.newsletter', 'checkbox', {
        value: true,
        metaLabel: uiText(Msg.InfoNodeLabelGenerated, { title: 'News' }),
      }),
    ]);
    expect(html).toContain(
      '<div class="pc-field pc-field--checkbox" data-node="traits.newsletter"><input type="checkbox" id="flow-traits.newsletter" name="traits.newsletter" value="true" checked><label for="flow-traits.newsletter">News</label></div>',
    );
  });

  it('renders text nodes (codes, lookup secrets), links and images; leaves scripts and divisions out', () => {
    const nodes: UiNode[] = [
      {
        type: 'text',
        group: 'lookup_secret',
        attributes: {
          id: 'lookup_secret_codes',
          node_type: 'text',
          text: {
            id: 1050015,
            text: 'abc, def',
            type: 'info',
            context: {
              secrets: [
                { id: 1050009, text: 'abc', type: 'info' },
                { id: 1050009, text: 'def<', type: 'info' },
              ],
            },
          },
        },
        messages: [],
        meta: { label: { id: 1050010, text: 'These are your back up recovery codes.', type: 'info' } },
      },
      {
        type: 'text',
        group: 'totp',
        attributes: {
          id: 'totp_secret_key',
          node_type: 'text',
          text: { id: 1050006, text: 'SECRETKEY', type: 'info' },
        },
        messages: [],
        meta: {},
      },
      {
        type: 'a',
        group: 'code',
        attributes: {
          id: 'continue',
          href: 'http://127.0.0.1:4433/ui/welcome',
          title: uiText(Msg.InfoNodeLabelContinue),
          node_type: 'a',
        },
        messages: [],
        meta: {},
      },
      {
        type: 'a',
        group: 'code',
        attributes: {
          id: 'evil',
          href: 'javascript:alert(1)',
          title: { id: 1, text: 'Click', type: 'info' },
          node_type: 'a',
        },
        messages: [],
        meta: {},
      },
      {
        type: 'img',
        group: 'totp',
        attributes: {
          id: 'totp_qr',
          src: 'data:image/png;base64,iVBORw0KGgo=',
          width: 256,
          height: 256,
          node_type: 'img',
        },
        messages: [],
        meta: { label: { id: 1050005, text: 'Authenticator app QR code', type: 'info' } },
      },
      {
        type: 'script',
        group: 'webauthn',
        attributes: {
          id: 'webauthn_script',
          src: 'https://evil.example/x.js',
          async: true,
          referrerpolicy: 'no-referrer',
          crossorigin: 'anonymous',
          integrity: '',
          type: 'text/javascript',
          nonce: '',
          node_type: 'script',
        },
        messages: [],
        meta: {},
      },
      {
        type: 'div',
        group: 'captcha',
        attributes: { id: 'captcha', node_type: 'div' },
        messages: [],
        meta: {},
      },
    ];
    const html = render(nodes, { flow: 'settings' });
    expect(html).toContain(
      '<p class="pc-label">These are your back up recovery codes.</p><ul class="pc-secrets"><li><code>abc</code></li><li><code>def&lt;</code></li></ul>',
    );
    expect(html).toContain('<code class="pc-code">SECRETKEY</code>');
    expect(html).toContain(
      '<a class="pc-button pc-button--secondary" href="http://127.0.0.1:4433/ui/welcome"',
    );
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<p>Click</p>');
    expect(html).toContain(
      '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Authenticator app QR code" width="256" height="256"',
    );
    expect(html).not.toContain('<script');
    expect(html).not.toContain('evil.example');
    expect(html).not.toContain('captcha');
  });

  it('escapes hostile values and labels in attributes and text', () => {
    const hostile = '"><script>alert(1)</script>';
    const html = render([
      inputNode('default', 'traits.fullname', 'text', {
        value: hostile,
        metaLabel: { id: 1070002, text: hostile, type: 'info' },
        messages: [{ id: 4000001, text: hostile, type: 'error' }],
      }),
    ]);
    expect(html).not.toContain('<script>');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(html).toContain(
      '<label for="flow-traits.fullname">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</label>',
    );
    expect(formById(html, 'form-flow').fields.find((f) => f.name === 'traits.fullname')?.value).toBe(hostile);
  });

  it('refuses an action that is not http(s) and keeps GET forms as GET', () => {
    const html = renderFlowUi({ action: 'javascript:alert(1)', method: 'GET', nodes: [] }, t, {
      flow: 'login',
    }).toString();
    expect(html).toContain('method="get" action=""');
  });
});
