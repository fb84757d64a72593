import { describe, expect, it } from 'vitest';
import type { UiNode } from '../flow/index.js';
import { registrationPasswordNodes } from './registration-password.js';
import {
  isRegistrationCredentialStep,
  registrationPasswordStepMessages,
  registrationPasswordStepNodes,
  registrationProfileNodes,
} from './registration-profile-first.js';
import { nodeId } from './sort.js';
import { emailPasswordSchema, examSchema, nestedTelSchema, schemaCases, toJson } from './testing/schemas.js';

const outline = (nodes: readonly UiNode[]) =>
  nodes.map(
    (node) =>
      `${node.group}:${nodeId(node)}${node.attributes.node_type === 'input' ? `:${node.attributes.type}` : ''}`,
  );

const examTraits = {
  email: 'ada@example.com',
  fullname: 'Ada Lovelace',
  phone_number: 123,
  user_type: 'educator',
};

describe('registrationPasswordNodes, unified', () => {
  for (const { name, schema } of schemaCases) {
    it(`builds the ${name} form`, async () => {
      await expect(toJson(registrationPasswordNodes(schema, { style: 'unified' }))).toMatchFileSnapshot(
        `./__snapshots__/registration-unified-${name}.json`,
      );
    });
  }

  it('puts the traits in default, the password and the button in the password group', () => {
    expect(outline(registrationPasswordNodes(examSchema, { style: 'unified' }))).toEqual([
      'default:traits.email:email',
      'default:traits.fullname:text',
      'default:traits.phone_number:number',
      'default:traits.user_type:text',
      'password:password:password',
      'password:method:submit',
    ]);
  });

  it('puts the password after the first trait with the legacy password group', () => {
    expect(
      outline(registrationPasswordNodes(nestedTelSchema, { style: 'unified', profileGroup: 'password' })),
    ).toEqual([
      'password:traits.phone:tel',
      'password:password:password',
      'password:traits.name.first:text',
      'password:traits.name.last:text',
      'password:traits.birthday:date',
      'password:traits.newsletter:checkbox',
      'password:method:submit',
    ]);
  });

  it('refills the traits after an error and leaves the password empty', () => {
    const nodes = registrationPasswordNodes(examSchema, { style: 'unified', values: examTraits });
    expect(
      nodes.map((node) => (node.attributes.node_type === 'input' ? node.attributes.value : null)),
    ).toEqual(['ada@example.com', 'Ada Lovelace', 123, 'educator', undefined, 'password']);
  });

  it('is the first profile_first screen when asked for that style', () => {
    expect(registrationPasswordNodes(examSchema, { style: 'profile_first' })).toEqual(
      registrationProfileNodes(examSchema),
    );
  });
});

describe('profile_first registration', () => {
  for (const { name, schema } of schemaCases) {
    it(`builds the ${name} profile screen`, async () => {
      await expect(toJson(registrationProfileNodes(schema))).toMatchFileSnapshot(
        `./__snapshots__/registration-profile-first-${name}-1-profile.json`,
      );
    });
  }

  it('asks for the traits first, with a Sign up button of the profile method', () => {
    expect(outline(registrationProfileNodes(emailPasswordSchema))).toEqual([
      'default:traits.email:email',
      'default:traits.name.first:text',
      'default:traits.name.last:text',
      'profile:method:submit',
    ]);
  });

  it('builds the exam password screen', async () => {
    await expect(
      toJson(registrationPasswordStepNodes(examSchema, { values: examTraits })),
    ).toMatchFileSnapshot('./__snapshots__/registration-profile-first-exam-2-password.json');
  });

  it('builds the nested-tel password screen', async () => {
    const values = { phone: '+4915112345678', name: { first: 'Ada', last: 'Lovelace' }, newsletter: false };
    await expect(toJson(registrationPasswordStepNodes(nestedTelSchema, { values }))).toMatchFileSnapshot(
      './__snapshots__/registration-profile-first-nested-tel-2-password.json',
    );
  });

  it('then hides the traits and offers the password, Sign up and Back', () => {
    const nodes = registrationPasswordStepNodes(emailPasswordSchema, {
      values: { email: 'ada@example.com' },
    });
    expect(outline(nodes)).toEqual([
      'default:traits.email:hidden',
      'default:traits.name.first:hidden',
      'default:traits.name.last:hidden',
      'password:password:password',
      'password:method:submit',
      'profile:screen:submit',
    ]);
    expect(nodes[0]?.attributes.value).toBe('ada@example.com');
  });

  it('leaves the password field and button off screen two when the password method is off', () => {
    const nodes = registrationPasswordStepNodes(emailPasswordSchema, {
      values: { email: 'ada@example.com' },
      withPassword: false,
    });
    expect(outline(nodes)).toEqual([
      'default:traits.email:hidden',
      'default:traits.name.first:hidden',
      'default:traits.name.last:hidden',
      'profile:screen:submit',
    ]);
  });

  it('tells screen two from screen one by its Back button', () => {
    const values = { email: 'ada@example.com' };
    expect(isRegistrationCredentialStep(registrationPasswordStepNodes(emailPasswordSchema, { values }))).toBe(
      true,
    );
    expect(isRegistrationCredentialStep(registrationProfileNodes(emailPasswordSchema, { values }))).toBe(
      false,
    );
  });

  it('tells the person to choose a credential on the password screen', () => {
    expect(registrationPasswordStepMessages()).toEqual([
      { id: 1040009, text: 'Please choose a credential to authenticate yourself with.', type: 'info' },
    ]);
  });
});
