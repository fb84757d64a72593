/**
 * The builders against Kratos's own snapshots (copied under `__fixtures__/kratos/`, provenance in
 * its SOURCE.md). Kratos's tests blank the CSRF token, so a token-less CSRF node stands in for it.
 */

import { describe, expect, it } from 'vitest';
import { CSRF_TOKEN_FIELD, inputNode, Msg, type UiNode, uiText } from '../flow/index.js';
import { loginPasswordNodes } from './login-password.js';
import { registrationPasswordNodes } from './registration-password.js';
import { registrationPasswordStepNodes, registrationProfileNodes } from './registration-profile-first.js';
import { nodeId, sortLoginNodes, sortRegistrationNodes } from './sort.js';
import { kratosProfileStubSchema, readJsonFile, toJson } from './testing/schemas.js';
import { traitNodes } from './trait-nodes.js';

const kratos = (file: string) => readJsonFile<UiNode[]>(`../__fixtures__/kratos/${file}`);
const blankCsrf = inputNode('default', CSRF_TOKEN_FIELD, 'hidden', { required: true });
const isCsrf = (node: UiNode) => nodeId(node) === CSRF_TOKEN_FIELD;
const ownGroups = new Set(['default', 'password', 'profile']);

describe("Kratos's password login form", () => {
  // selfservice/strategy/password/.snapshots/TestFormHydration-method=PopulateLoginMethodFirstFactor.json
  const snapshot = kratos('password-login-first-factor.json');

  it('matches PopulateLoginMethodFirstFactor byte for byte (the schema there gives the "ID" label)', () => {
    const [identifier, ...rest] = loginPasswordNodes({ identifierLabel: uiText(Msg.InfoNodeLabelID) });
    // The strategy sets the identifier, then the CSRF node, then appends the rest.
    expect(toJson([identifier, blankCsrf, ...rest])).toBe(toJson(snapshot));
  });

  it('moves the CSRF node first when the flow sorts, as login.sortNodes does', () => {
    expect(sortLoginNodes(snapshot).map(nodeId)).toEqual([
      CSRF_TOKEN_FIELD,
      'identifier',
      'password',
      'method',
    ]);
  });
});

describe("Kratos's password registration form", () => {
  // selfservice/strategy/password/.snapshots/TestPopulateRegistrationMethod-method=idempotency-case=2.json
  const passwordSnapshot = kratos('password-registration-idempotency-case-2.json');
  // selfservice/strategy/profile/.snapshots/TestPopulateRegistrationMethod-method=PopulateRegistrationMethod.json
  const profileSnapshot = kratos('profile-populate-registration-method.json');

  it('has the password input and Sign up button of the password strategy', () => {
    const nodes = registrationPasswordNodes(kratosProfileStubSchema, { style: 'unified' });
    expect(toJson(nodes.filter((node) => node.group === 'password'))).toBe(
      toJson(passwordSnapshot.filter((node) => !isCsrf(node))),
    );
  });

  it('has the trait fields of the profile strategy, which Kratos builds in name order', () => {
    const byName = (a: UiNode, b: UiNode) => nodeId(a).localeCompare(nodeId(b));
    expect(toJson([...traitNodes(kratosProfileStubSchema, { group: 'default' })].sort(byName))).toBe(
      toJson(profileSnapshot.filter((node) => !isCsrf(node))),
    );
  });
});

describe("Kratos's profile_first registration", () => {
  // selfservice/strategy/profile/.snapshots/TestTwoStepRegistration-initial_form_is_populated_with_identity_traits-type=browser-empty_flow.json
  const profileScreen = kratos('profile-two-step-empty-flow.json');
  // selfservice/strategy/profile/.snapshots/TestTwoStepRegistration-initial_form_is_populated_with_identity_traits-type=browser-select_credentials.json
  const credentialScreen = kratos('profile-two-step-select-credentials.json');
  const traits = {
    email: 'browser-1@example.org',
    stringy: 'string',
    numby: 1,
    booly: true,
    should_big_number: 1_000_000,
    should_long_string: '1111111111111111111111111111111111111111111111111111111111',
  };

  it('matches the first screen (this snapshot was written with sorted keys, so compare values)', () => {
    const expected = profileScreen.filter((node) => ownGroups.has(node.group) && !isCsrf(node));
    expect(registrationProfileNodes(kratosProfileStubSchema)).toEqual(expected);
  });

  it('matches the credential screen byte for byte', () => {
    const expected = credentialScreen.filter((node) => ownGroups.has(node.group) && !isCsrf(node));
    expect(toJson(registrationPasswordStepNodes(kratosProfileStubSchema, { values: traits }))).toBe(
      toJson(expected),
    );
  });

  it("reproduces Kratos's whole node order once the CSRF node and other methods' nodes join", () => {
    const others = credentialScreen.filter((node) => !ownGroups.has(node.group));
    const ours = registrationPasswordStepNodes(kratosProfileStubSchema, { values: traits });
    const sorted = sortRegistrationNodes([...ours, ...others, blankCsrf], kratosProfileStubSchema);
    expect(toJson(sorted)).toBe(toJson(credentialScreen));
  });
});
