/** Login messages (1010xxx), as in Kratos's `text/message_login.go`. */

import { goQuote } from '../go-format.js';
import { custom, fixed, templated } from './define.js';
import { Msg } from './ids.js';

/** Input of 1010016: the account-linking prompt after a social sign-in hit an existing account. */
export interface LoginLinkContext {
  duplicate_identifier: string;
  provider: string;
  new_login_url: string;
  available_credential_types: readonly string[];
  available_providers: readonly string[];
}

export const loginMessages = {
  [Msg.InfoSelfServiceLogin]: fixed('info', 'Sign in'),
  [Msg.InfoSelfServiceLoginWith]: templated('info', 'Sign in with {provider}', ['provider', 'provider_id']),
  [Msg.InfoSelfServiceLoginReAuth]: fixed('info', 'Please confirm this action by verifying that it is you.'),
  [Msg.InfoSelfServiceLoginMFA]: fixed('info', 'Please complete the second authentication challenge.'),
  [Msg.InfoSelfServiceLoginVerify]: fixed('info', 'Verify'),
  [Msg.InfoSelfServiceLoginTOTPLabel]: fixed('info', 'Authentication code'),
  [Msg.InfoLoginLookupLabel]: fixed('info', 'Backup recovery code'),
  [Msg.InfoSelfServiceLoginWebAuthn]: fixed('info', 'Sign in with hardware key'),
  [Msg.InfoLoginTOTP]: fixed('info', 'Use Authenticator'),
  [Msg.InfoLoginLookup]: fixed('info', 'Use backup recovery code'),
  [Msg.InfoSelfServiceLoginContinueWebAuthn]: fixed('info', 'Sign in with hardware key'),
  [Msg.InfoSelfServiceLoginWebAuthnPasswordless]: fixed(
    'info',
    'Prepare your WebAuthn device (e.g. security key, biometrics scanner, ...) and press continue.',
  ),
  [Msg.InfoSelfServiceLoginContinue]: fixed('info', 'Continue'),
  [Msg.InfoSelfServiceLoginCodeSent]: fixed(
    'info',
    "A code was sent to the address you provided. If you didn't receive it, please check the spelling of the address and try again.",
  ),
  [Msg.InfoSelfServiceLoginCode]: fixed('info', 'Send sign in code'),
  [Msg.InfoSelfServiceLoginLink]: custom<LoginLinkContext>(
    'info',
    'You tried to sign in with "{duplicateIdentifier}", but that email is already used by another account. ' +
      'Sign in to your account with one of the options below to add your account "{duplicateIdentifier}" ' +
      'at "{provider}" as another way to sign in.',
    [
      'available_credential_types',
      'available_providers',
      'duplicateIdentifier',
      'duplicate_identifier',
      'newLoginUrl',
      'new_login_url',
      'provider',
    ],
    (input) => ({
      // Go: "...with %q, ... add your account %[1]q at %q ..." (dupIdentifier, provider).
      text:
        `You tried to sign in with ${goQuote(input.duplicate_identifier)}, but that email is already used by ` +
        'another account. Sign in to your account with one of the options below to add your account ' +
        `${goQuote(input.duplicate_identifier)} at ${goQuote(input.provider)} as another way to sign in.`,
      // Kratos sends the camelCase keys of older releases next to the snake_case ones.
      context: {
        available_credential_types: input.available_credential_types,
        available_providers: input.available_providers,
        duplicateIdentifier: input.duplicate_identifier,
        duplicate_identifier: input.duplicate_identifier,
        newLoginUrl: input.new_login_url,
        new_login_url: input.new_login_url,
        provider: input.provider,
      },
    }),
  ),
  [Msg.InfoSelfServiceLoginAndLink]: fixed('info', 'Sign in and link'),
  [Msg.InfoSelfServiceLoginWithAndLink]: templated('info', 'Confirm with {provider}', ['provider']),
  [Msg.InfoSelfServiceLoginCodeMFA]: fixed('info', 'Request code to continue'),
  [Msg.InfoSelfServiceLoginPasskey]: fixed('info', 'Sign in with passkey'),
  [Msg.InfoSelfServiceLoginPassword]: fixed('info', 'Sign in with password'),
  [Msg.InfoSelfServiceLoginAAL2CodeAddress]: templated('info', 'Send code to {address}', [
    'address',
    'channel',
  ]),
};
