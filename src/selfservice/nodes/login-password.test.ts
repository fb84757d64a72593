import { describe, expect, it } from 'vitest';
import { csrfNode } from '../flow/index.js';
import { identifierLabel } from './identifier-label.js';
import { loginPasswordNodes, loginPasswordRefreshNodes } from './login-password.js';
import { sortLoginNodes } from './sort.js';
import { schemaCases, toJson } from './testing/schemas.js';

describe('loginPasswordNodes', () => {
  for (const { name, schema } of schemaCases) {
    it(`builds the ${name} login form`, async () => {
      const nodes = loginPasswordNodes({ identifierLabel: identifierLabel(schema) });
      await expect(toJson(nodes)).toMatchFileSnapshot(`./__snapshots__/login-${name}.json`);
    });
  }

  it('keeps the identifier that was typed and never a password', () => {
    const [identifier, password] = loginPasswordNodes({
      identifierLabel: identifierLabel(schemaCases[0].schema),
      identifier: 'ada@example.com',
    });
    expect(identifier?.attributes.value).toBe('ada@example.com');
    expect(password?.attributes).not.toHaveProperty('value');
  });

  it('adds an identifier autocomplete only when asked to', () => {
    const label = identifierLabel(schemaCases[0].schema);
    expect(loginPasswordNodes({ identifierLabel: label })[0]?.attributes).not.toHaveProperty('autocomplete');
    expect(
      loginPasswordNodes({ identifierLabel: label, identifierAutocomplete: 'username' })[0]?.attributes,
    ).toEqual({
      name: 'identifier',
      type: 'text',
      value: '',
      required: true,
      autocomplete: 'username',
      disabled: false,
      node_type: 'input',
    });
  });

  it('goes after the CSRF node once the flow sorts the form', () => {
    const nodes = sortLoginNodes([
      ...loginPasswordNodes({ identifierLabel: identifierLabel(schemaCases[0].schema) }),
      csrfNode('t'),
    ]);
    expect(nodes.map((node) => (node.attributes.node_type === 'input' ? node.attributes.name : ''))).toEqual([
      'csrf_token',
      'identifier',
      'password',
      'method',
    ]);
  });
});

describe('loginPasswordRefreshNodes', () => {
  it('hides the known identifier and labels the button "Sign in"', async () => {
    await expect(toJson(loginPasswordRefreshNodes('ada@example.com'))).toMatchFileSnapshot(
      './__snapshots__/login-refresh.json',
    );
  });
});
