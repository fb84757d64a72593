import { describe, expect, it } from 'vitest';
import { isMessageId, listMessages, Msg, uiText } from './messages.js';

describe('the message catalogue', () => {
  it('has every id the flows need, with its Kratos type', () => {
    const required: [number, string][] = [
      [1010001, 'info'],
      [1010002, 'info'],
      [1010003, 'info'],
      [1010013, 'info'],
      [1010016, 'info'],
      [1040001, 'info'],
      [1040002, 'info'],
      [1040003, 'info'],
      [1050001, 'success'],
      [1060001, 'success'],
      [1060002, 'info'],
      [1060003, 'info'],
      [1080001, 'info'],
      [1080002, 'success'],
      [1080003, 'info'],
      [5000001, 'error'],
    ];
    for (let id = 1070001; id <= 1070012; id++) required.push([id, 'info']);
    for (const id of [4000001, 4000002, 4000003, 4000004, 4000005, 4000006, 4000007, 4000010])
      required.push([id, 'error']);
    for (let id = 4000031; id <= 4000034; id++) required.push([id, 'error']);
    for (const id of [4010001, 4010002, 4010003, 4040001, 4040002, 4040003]) required.push([id, 'error']);
    for (const id of [4060001, 4060002, 4060004, 4060005, 4060006]) required.push([id, 'error']);
    for (const id of [4070001, 4070002, 4070003, 4070005, 4070006]) required.push([id, 'error']);
    const types = new Map(listMessages().map((message) => [message.id as number, message.type]));
    for (const [id, type] of required) expect([id, types.get(id)]).toEqual([id, type]);
  });

  it('names every message after its Kratos constant and lists them in id order', () => {
    const messages = listMessages();
    for (const message of messages) expect(Msg[message.name]).toBe(message.id);
    const ids = messages.map((message) => message.id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('knows which plain numbers are message ids', () => {
    expect(isMessageId(4000006)).toBe(true);
    expect(isMessageId(4060003)).toBe(false);
    expect(isMessageId(42)).toBe(false);
  });
});

describe('uiText', () => {
  it('renders fixed messages without a context, in the uiText key order', () => {
    expect(JSON.stringify(uiText(Msg.InfoSelfServiceLogin))).toBe(
      '{"id":1010001,"text":"Sign in","type":"info"}',
    );
    expect(uiText(Msg.ErrorValidationInvalidCredentials)).toEqual({
      id: 4000006,
      text: 'The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.',
      type: 'error',
    });
    expect(uiText(Msg.ErrorValidationDuplicateCredentials).text).toBe(
      'An account with the same identifier (email, phone, username, ...) exists already.',
    );
    expect(uiText(Msg.InfoSelfServiceSettingsUpdateSuccess)).toEqual({
      id: 1050001,
      text: 'Your changes have been saved!',
      type: 'success',
    });
  });

  it('fills %s and %d from the context and sends the context with sorted keys', () => {
    const text = uiText(Msg.ErrorValidationPasswordMinLength, { min_length: 8, actual_length: 5 });
    expect(JSON.stringify(text)).toBe(
      '{"id":4000032,"text":"The password must be at least 8 characters long, but got 5.","type":"error",' +
        '"context":{"actual_length":5,"min_length":8}}',
    );
    expect(uiText(Msg.ErrorValidationRequired, { property: 'traits.email' })).toEqual({
      id: 4000002,
      text: 'Property traits.email is missing.',
      type: 'error',
      context: { property: 'traits.email' },
    });
    expect(uiText(Msg.ErrorValidationGeneric, { reason: 'is not valid "email"' }).text).toBe(
      'is not valid "email"',
    );
    expect(uiText(Msg.InfoSelfServiceLoginWith, { provider: 'GitHub', provider_id: 'github' })).toEqual({
      id: 1010002,
      text: 'Sign in with GitHub',
      type: 'info',
      context: { provider: 'GitHub', provider_id: 'github' },
    });
  });

  it('leaves a placeholder-looking value alone instead of substituting it again', () => {
    expect(uiText(Msg.ErrorValidationRequired, { property: '{property}' }).text).toBe(
      'Property {property} is missing.',
    );
  });

  it('labels a schema field with its title', () => {
    expect(uiText(Msg.InfoNodeLabelGenerated, { title: 'E-Mail' })).toEqual({
      id: 1070002,
      text: 'E-Mail',
      type: 'info',
      context: { title: 'E-Mail' },
    });
    expect(uiText(Msg.InfoNodeLabelGenerated, { title: 'E-Mail', name: 'traits.email' }).context).toEqual({
      name: 'traits.email',
      title: 'E-Mail',
    });
  });

  it('quotes with Go %q where Kratos does', () => {
    expect(uiText(Msg.ErrorValidationInvalidFormat, { pattern: '^[a-z"]+$' }).text).toBe(
      'does not match pattern "^[a-z\\"]+$"',
    );
    const link = uiText(Msg.InfoSelfServiceLoginLink, {
      duplicate_identifier: 'ada@example.com',
      provider: 'google',
      new_login_url: 'https://auth.example.com/self-service/login/browser',
      available_credential_types: ['password'],
      available_providers: [],
    });
    expect(link.text).toBe(
      'You tried to sign in with "ada@example.com", but that email is already used by another account. Sign in to ' +
        'your account with one of the options below to add your account "ada@example.com" at "google" as another way to sign in.',
    );
    expect(Object.keys(link.context ?? {})).toEqual([
      'available_credential_types',
      'available_providers',
      'duplicateIdentifier',
      'duplicate_identifier',
      'newLoginUrl',
      'new_login_url',
      'provider',
    ]);
  });

  it('prints JSON-schema bounds with Go %v', () => {
    expect(uiText(Msg.ErrorValidationMinimum, { minimum: 5, actual: 3 }).text).toBe(
      'must be >= 5 but found 3',
    );
    expect(uiText(Msg.ErrorValidationExclusiveMaximum, { maximum: 1e6, actual: 2e6 }).text).toBe(
      'must be < 1e+06 but found 2e+06',
    );
    expect(uiText(Msg.ErrorValidationMultipleOf, { base: 7, actual: 3 }).text).toBe('3 not multipleOf 7');
    expect(
      uiText(Msg.ErrorValidationWrongType, { allowed_types: ['string', 'null'], actual_type: 'number' }).text,
    ).toBe('expected string or null, but got number');
  });

  it('says how long ago a flow expired, as Kratos does', () => {
    const expiredAt = new Date('2020-01-01T00:59:59Z');
    const now = new Date('2020-01-01T01:00:59Z');
    expect(uiText(Msg.ErrorValidationLoginFlowExpired, { expired_at: expiredAt, now })).toEqual({
      id: 4010001,
      text: 'The login flow expired 1.00 minutes ago, please try again.',
      type: 'error',
      context: { expired_at: '2020-01-01T00:59:59Z', expired_at_unix: 1577840399 },
    });
    expect(uiText(Msg.ErrorValidationVerificationFlowExpired, { expired_at: expiredAt, now }).text).toBe(
      'The verification flow expired 1.00 minutes ago, please try again.',
    );
  });

  it('tells a recovered user how long the privileged session lasts', () => {
    const expiresAt = new Date('2020-01-01T01:01:00Z');
    expect(
      uiText(Msg.InfoSelfServiceRecoverySuccessful, {
        privileged_session_expires_at: expiresAt,
        now: new Date('2020-01-01T01:00:00Z'),
      }),
    ).toEqual({
      id: 1060001,
      text: 'You successfully recovered your account. Please change your password or set up an alternative login method (e.g. social sign in) within the next 1.00 minutes.',
      type: 'success',
      context: {
        privilegedSessionExpiresAt: '2020-01-01T01:01:00Z',
        privileged_session_expires_at: '2020-01-01T01:01:00Z',
        privileged_session_expires_at_unix: 1577840460,
      },
    });
  });

  it('lists how the existing account can sign in (4000028)', () => {
    const text = (types: string[], providers: string[], hint = '') =>
      uiText(Msg.ErrorValidationDuplicateCredentialsWithHints, {
        available_credential_types: types,
        available_oidc_providers: providers,
        credential_identifier_hint: hint,
      }).text;
    expect(text(['password', 'oidc'], ['github', 'google'], 'ada@example.com')).toBe(
      'You tried signing in with ada@example.com which is already in use by another account. You can sign in using ' +
        'your password, or social sign in. You can sign in using one of the following social sign in providers: Github, Google.',
    );
    expect(text([], [])).toBe(
      'You tried signing in with an email, phone, or username which is already in use by another account.',
    );
    expect(text(['totp'], [])).toContain('You can sign in using totp.');
  });

  it('shows used backup codes with the time as Go prints it', () => {
    const used = uiText(Msg.InfoSelfServiceSettingsLookupSecretUsed, {
      used_at: new Date('2020-01-01T00:59:59Z'),
    });
    expect(used.text).toBe('Secret was used at 2020-01-01 00:59:59 +0000 UTC');
    const list = uiText(Msg.InfoSelfServiceSettingsLookupSecretList, {
      secrets: [uiText(Msg.InfoSelfServiceSettingsLookupSecret, { secret: 'abcd-efgh' }), used],
    });
    expect(list.text).toBe('abcd-efgh, Secret was used at 2020-01-01 00:59:59 +0000 UTC');
    expect(
      uiText(Msg.InfoSelfServiceSettingsRemoveWebAuthn, {
        display_name: 'YubiKey',
        added_at: new Date('2020-01-01T00:59:59Z'),
      }),
    ).toEqual({
      id: 1050018,
      text: 'Remove security key "YubiKey"',
      type: 'info',
      context: { added_at: '2020-01-01T00:59:59Z', added_at_unix: 1577840399, display_name: 'YubiKey' },
    });
  });

  it('rejects an id outside the catalogue at run time', () => {
    // A number cast past the type check, as from untyped data.
    expect(() => uiText(4060003 as typeof Msg.InfoSelfServiceLogin)).toThrow(RangeError);
  });
});
