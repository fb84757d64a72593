import { describe, expect, it } from 'vitest';
import { Msg, uiContainer, uiText } from '../flow/index.js';
import { identifierLabel } from './identifier-label.js';
import { loginPasswordNodes } from './login-password.js';
import { withNodeMessages } from './node-messages.js';
import { registrationPasswordNodes } from './registration-password.js';
import { examSchema, toJson } from './testing/schemas.js';

describe('withNodeMessages', () => {
  it('puts a missing-property error on the field and keeps the others as they were', async () => {
    const form = registrationPasswordNodes(examSchema, {
      style: 'unified',
      values: { email: 'ada@example.com' },
    });
    const nodes = withNodeMessages(form, {
      'traits.fullname': [uiText(Msg.ErrorValidationRequired, { property: 'fullname' })],
    });
    expect(
      nodes.find(
        (node) => node.attributes.node_type === 'input' && node.attributes.name === 'traits.fullname',
      )?.messages,
    ).toEqual([
      {
        id: 4000002,
        text: 'Property fullname is missing.',
        type: 'error',
        context: { property: 'fullname' },
      },
    ]);
    expect(nodes.filter((node) => node.messages.length > 0)).toHaveLength(1);
    await expect(toJson(nodes)).toMatchFileSnapshot(
      './__snapshots__/registration-unified-exam-with-errors.json',
    );
  });

  it('replaces earlier messages on the node', () => {
    const [first] = withNodeMessages(loginPasswordNodes({ identifierLabel: identifierLabel(examSchema) }), {
      identifier: [uiText(Msg.ErrorValidationRequired, { property: 'identifier' })],
    });
    const [again] = withNodeMessages(first === undefined ? [] : [first], { identifier: [] });
    expect(again?.messages).toEqual([]);
  });

  it('adds a text input for a name no node has, as Kratos does, so no error is lost', () => {
    const nodes = withNodeMessages([], {
      'traits.unknown': [uiText(Msg.ErrorValidationGeneric, { reason: 'nope' })],
    });
    expect(toJson(nodes)).toBe(
      toJson([
        {
          type: 'input',
          group: 'default',
          attributes: { name: 'traits.unknown', type: 'text', disabled: false, node_type: 'input' },
          messages: [{ id: 4000001, text: 'nope', type: 'error', context: { reason: 'nope' } }],
          meta: {},
        },
      ]),
    );
  });

  it('leaves form-wide messages such as invalid credentials to the container', () => {
    const nodes = withNodeMessages(
      loginPasswordNodes({ identifierLabel: identifierLabel(examSchema), identifier: 'ada' }),
      {
        '': [uiText(Msg.ErrorValidationInvalidCredentials)],
      },
    );
    expect(nodes.every((node) => node.messages.length === 0)).toBe(true);
    const form = uiContainer('/self-service/login?flow=1', nodes, [
      uiText(Msg.ErrorValidationInvalidCredentials),
    ]);
    expect(form.messages?.map((message) => message.id)).toEqual([4000006]);
  });
});
