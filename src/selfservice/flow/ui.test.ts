import { describe, expect, it } from 'vitest';
import { Msg, uiText } from './messages.js';
import { csrfNode, inputNode, submitNode, uiContainer } from './ui.js';

// Kratos's selfservice/strategy/password/.snapshots/TestFormHydration-method=PopulateLoginMethodFirstFactor.json.
// Kratos's tests blank the csrf token there; a live response carries it as `value` right after `type`.
const KRATOS_LOGIN_NODES = `[
  {
    "type": "input",
    "group": "default",
    "attributes": {
      "name": "identifier",
      "type": "text",
      "value": "",
      "required": true,
      "disabled": false,
      "node_type": "input"
    },
    "messages": [],
    "meta": {
      "label": {
        "id": 1070004,
        "text": "ID",
        "type": "info"
      }
    }
  },
  {
    "type": "input",
    "group": "default",
    "attributes": {
      "name": "csrf_token",
      "type": "hidden",
      "required": true,
      "disabled": false,
      "node_type": "input"
    },
    "messages": [],
    "meta": {}
  },
  {
    "type": "input",
    "group": "password",
    "attributes": {
      "name": "password",
      "type": "password",
      "required": true,
      "autocomplete": "current-password",
      "disabled": false,
      "node_type": "input"
    },
    "messages": [],
    "meta": {
      "label": {
        "id": 1070001,
        "text": "Password",
        "type": "info"
      }
    }
  },
  {
    "type": "input",
    "group": "password",
    "attributes": {
      "name": "method",
      "type": "submit",
      "value": "password",
      "disabled": false,
      "node_type": "input"
    },
    "messages": [],
    "meta": {
      "label": {
        "id": 1010022,
        "text": "Sign in with password",
        "type": "info"
      }
    }
  }
]`;

describe('node builders', () => {
  it("serialise the password login form byte for byte as Kratos's snapshot", () => {
    const nodes = [
      inputNode('default', 'identifier', 'text', {
        value: '',
        required: true,
        metaLabel: uiText(Msg.InfoNodeLabelID),
      }),
      csrfNode('token'),
      inputNode('password', 'password', 'password', {
        required: true,
        autocomplete: 'current-password',
        metaLabel: uiText(Msg.InfoNodeLabelInputPassword),
      }),
      submitNode('password', 'method', 'password', uiText(Msg.InfoSelfServiceLoginPassword)),
    ];
    // Blank the token the way Kratos's snapshot test does.
    const csrf = nodes[1];
    if (csrf !== undefined) delete csrf.attributes.value;
    expect(JSON.stringify(nodes, null, 2)).toBe(KRATOS_LOGIN_NODES);
  });

  it('put the csrf token where Kratos does', () => {
    expect(JSON.stringify(csrfNode('bWFza2Vk'))).toBe(
      '{"type":"input","group":"default","attributes":{"name":"csrf_token","type":"hidden","value":"bWFza2Vk",' +
        '"required":true,"disabled":false,"node_type":"input"},"messages":[],"meta":{}}',
    );
  });

  it("write every input attribute in the order of Kratos's struct and drop empty ones", () => {
    const node = inputNode('passkey', 'passkey_login', 'button', {
      value: null,
      required: false,
      autocomplete: 'username webauthn',
      label: uiText(Msg.InfoSelfServiceLoginPasskey),
      pattern: '[0-9]+',
      disabled: true,
      onclick: 'window.x()',
      onclickTrigger: 'oryPasskeyLogin',
      onload: 'window.y()',
      onloadTrigger: 'oryPasskeyLoginAutocompleteInit',
      maxlength: 6,
      options: [{ value: 'a' }],
      messages: [uiText(Msg.ErrorValidationRequired, { property: 'passkey_login' })],
    });
    expect(Object.keys(node.attributes)).toEqual([
      'name',
      'type',
      'autocomplete',
      'label',
      'pattern',
      'disabled',
      'onclick',
      'onclickTrigger',
      'onload',
      'onloadTrigger',
      'maxlength',
      'options',
      'node_type',
    ]);
    expect(node.messages).toHaveLength(1);
  });
});

describe('uiContainer', () => {
  it('posts to the action and leaves out messages when there are none', () => {
    expect(JSON.stringify(uiContainer('https://auth.example.com/self-service/login?flow=1'))).toBe(
      '{"action":"https://auth.example.com/self-service/login?flow=1","method":"POST","nodes":[]}',
    );
    const withMessage = uiContainer('/a', [], [uiText(Msg.InfoSelfServiceLoginReAuth)]);
    expect(withMessage.messages).toEqual([
      { id: 1010003, text: 'Please confirm this action by verifying that it is you.', type: 'info' },
    ]);
  });
});
