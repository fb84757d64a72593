import { describe, expect, it } from 'vitest';
import { csrfNode, inputNode, Msg, submitNode, uiText } from '../flow/index.js';
import { flattenValues } from './flatten.js';
import { identifierLabel } from './identifier-label.js';
import { loginPasswordNodes } from './login-password.js';
import { registrationPasswordNodes } from './registration-password.js';
import { emailPasswordSchema, nestedTelSchema } from './testing/schemas.js';
import { withValues } from './values.js';

const attributesNamed = (nodes: ReturnType<typeof withValues>, name: string) =>
  nodes.find((node) => node.attributes.node_type === 'input' && node.attributes.name === name)?.attributes;

describe('withValues', () => {
  it('keeps what was typed into the login form, but not the password', () => {
    const nodes = withValues(loginPasswordNodes({ identifierLabel: identifierLabel(emailPasswordSchema) }), {
      identifier: 'ada@example.com',
      password: 'hunter2',
      method: 'evil',
    });
    expect(attributesNamed(nodes, 'identifier')).toMatchObject({ value: 'ada@example.com' });
    expect(attributesNamed(nodes, 'password')).not.toHaveProperty('value');
    expect(attributesNamed(nodes, 'method')).toMatchObject({ value: 'password' });
    expect(JSON.stringify(nodes)).not.toContain('hunter2');
  });

  it('fills nested traits of a registration form from the submitted body', () => {
    const nodes = withValues(registrationPasswordNodes(nestedTelSchema, { style: 'unified' }), {
      traits: { phone: '+4915112345678', name: { last: 'Lovelace' }, newsletter: true },
      password: 'hunter2',
    });
    expect(attributesNamed(nodes, 'traits.name.last')).toMatchObject({ value: 'Lovelace' });
    expect(attributesNamed(nodes, 'traits.newsletter')).toMatchObject({ value: true });
    expect(JSON.stringify(nodes)).not.toContain('hunter2');
  });

  it('never overwrites the CSRF token or a button', () => {
    const nodes = withValues(
      [
        csrfNode('masked'),
        submitNode('profile', 'screen', 'previous', uiText(Msg.InfoSelfServiceRegistrationBack)),
      ],
      {
        csrf_token: 'forged',
        screen: 'credential-selection',
      },
    );
    expect(attributesNamed(nodes, 'csrf_token')).toMatchObject({ value: 'masked' });
    expect(attributesNamed(nodes, 'screen')).toMatchObject({ value: 'previous' });
  });

  it('removes a value on null and ignores names no node has', () => {
    const nodes = withValues([inputNode('default', 'traits.a', 'text', { value: 'x' })], {
      traits: { a: null, b: 'y' },
    });
    expect(nodes).toHaveLength(1);
    expect(nodes[0]?.attributes).not.toHaveProperty('value');
  });

  it('does not change the nodes it was given', () => {
    const nodes = [inputNode('default', 'traits.a', 'text')];
    withValues(nodes, { traits: { a: 'x' } });
    expect(nodes[0]?.attributes).not.toHaveProperty('value');
  });
});

describe('flattenValues', () => {
  it("flattens as Kratos's jsonx.Flatten: dotted objects, indexed arrays, escaped dots", () => {
    expect(
      Object.fromEntries(flattenValues({ a: { b: 1, 'c.d': 2 }, list: ['x', { y: true }], n: null })),
    ).toEqual({
      'a.b': 1,
      'a.c\\.d': 2,
      'list.0': 'x',
      'list.1.y': true,
      n: null,
    });
  });
});
