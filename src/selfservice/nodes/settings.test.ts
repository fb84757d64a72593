import { describe, expect, it } from 'vitest';
import { CSRF_TOKEN_FIELD, inputNode, type UiNode } from '../flow/index.js';
import { settingsNodes, settingsPasswordNodes, settingsProfileNodes } from './settings.js';
import { nodeId } from './sort.js';
import { examSchema, kratosProfileStubSchema, readJsonFile, schemaCases, toJson } from './testing/schemas.js';

const outline = (nodes: readonly UiNode[]) =>
  nodes.map(
    (node) =>
      `${node.group}:${nodeId(node)}${node.attributes.node_type === 'input' ? `:${node.attributes.type}` : ''}`,
  );

const sampleTraits = {
  'email-password': { email: 'ada@example.com', name: { first: 'Ada', last: 'Lovelace' } },
  exam: { email: 'ada@example.com', fullname: 'Ada Lovelace', phone_number: 5550100, user_type: 'educator' },
  'nested-tel': { phone: '+4915112345678', name: { first: 'Ada', last: 'Lovelace' }, newsletter: true },
} as const;

describe('settingsNodes', () => {
  for (const { name, schema } of schemaCases) {
    it(`builds the ${name} settings form with the identity's values`, async () => {
      const nodes = settingsNodes(schema, { traits: sampleTraits[name], profile: true, password: true });
      await expect(toJson(nodes)).toMatchFileSnapshot(`./__snapshots__/settings-${name}.json`);
    });
  }

  it('puts the traits and Save in profile, the new password and Save in password', () => {
    const nodes = settingsNodes(examSchema, { traits: sampleTraits.exam, profile: true, password: true });
    expect(outline(nodes)).toEqual([
      'profile:traits.email:email',
      'profile:traits.fullname:text',
      'profile:traits.phone_number:number',
      'profile:traits.user_type:text',
      'profile:method:submit',
      'password:password:password',
      'password:method:submit',
    ]);
    const saves = nodes.filter((node) => nodeId(node) === 'method').map((node) => node.meta.label?.id);
    expect(saves).toEqual([1070003, 1070003]);
  });

  it('leaves out the groups of disabled methods', () => {
    expect(
      outline(settingsNodes(examSchema, { traits: sampleTraits.exam, profile: false, password: true })),
    ).toEqual(['password:password:password', 'password:method:submit']);
    expect(
      settingsNodes(examSchema, { traits: sampleTraits.exam, profile: true, password: false }).every(
        (node) => node.group === 'profile',
      ),
    ).toBe(true);
  });

  it('never fills the password input', () => {
    const [password] = settingsPasswordNodes();
    expect(password?.attributes).not.toHaveProperty('value');
  });
});

describe("Kratos's settings form", () => {
  // selfservice/strategy/profile/.snapshots/TestStrategyTraits-description=hydrate_the_proper_fields-type=spa.json
  const snapshot = readJsonFile<{ nodes: UiNode[] }>(
    '../__fixtures__/kratos/profile-settings-hydrate-spa.json',
  ).nodes;
  const traits = {
    stringy: 'foobar',
    numby: 2.5,
    booly: false,
    should_big_number: 2048,
    should_long_string: 'asdfasdfasdfasdfasfdasdfasdfasdf',
  };

  it('matches hydrate_the_proper_fields (written with sorted keys, so values are compared)', () => {
    const blankCsrf = inputNode('default', CSRF_TOKEN_FIELD, 'hidden', { required: true });
    const nodes = settingsNodes(kratosProfileStubSchema, { traits, profile: true, password: true });
    expect([blankCsrf, ...nodes]).toEqual(snapshot);
  });

  it('builds the profile group from the traits alone', () => {
    expect(settingsProfileNodes(kratosProfileStubSchema, traits)).toEqual(
      snapshot.filter((node) => node.group === 'profile'),
    );
  });
});
