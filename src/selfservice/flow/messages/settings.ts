/** Settings messages (1050xxx), as in Kratos's `text/message_settings.go`. */

import { goTime, goTimeString, goUnix } from '../go-format.js';
import { custom, fixed, templated, type UiText } from './define.js';
import { Msg } from './ids.js';

/** Input of 1050018 and 1050020: the key's display name and when it was added. */
export interface RemoveKeyContext {
  display_name: string;
  added_at: Date;
}

// Kratos quotes the name with literal quotes and %s here, not %q.
const removeKey = (noun: string) =>
  custom<RemoveKeyContext>(
    'info',
    `Remove ${noun} "{display_name}"`,
    ['added_at', 'added_at_unix', 'display_name'],
    (input) => ({
      text: `Remove ${noun} "${input.display_name}"`,
      context: {
        added_at: goTime(input.added_at),
        added_at_unix: goUnix(input.added_at),
        display_name: input.display_name,
      },
    }),
  );

export const settingsMessages = {
  [Msg.InfoSelfServiceSettingsUpdateSuccess]: fixed('success', 'Your changes have been saved!'),
  [Msg.InfoSelfServiceSettingsUpdateLinkOidc]: templated('info', 'Link {provider}', ['provider']),
  [Msg.InfoSelfServiceSettingsUpdateUnlinkOidc]: templated('info', 'Unlink {provider}', ['provider']),
  [Msg.InfoSelfServiceSettingsUpdateUnlinkTOTP]: fixed('info', 'Unlink TOTP Authenticator App'),
  [Msg.InfoSelfServiceSettingsTOTPQRCode]: fixed('info', 'Authenticator app QR code'),
  [Msg.InfoSelfServiceSettingsTOTPSecret]: templated('info', '{secret}', ['secret']),
  [Msg.InfoSelfServiceSettingsRevealLookup]: fixed('info', 'Reveal backup recovery codes'),
  [Msg.InfoSelfServiceSettingsRegenerateLookup]: fixed('info', 'Generate new backup recovery codes'),
  [Msg.InfoSelfServiceSettingsLookupSecret]: templated('info', '{secret}', ['secret']),
  [Msg.InfoSelfServiceSettingsLookupSecretLabel]: fixed(
    'info',
    'These are your back up recovery codes. Please keep them in a safe place!',
  ),
  [Msg.InfoSelfServiceSettingsLookupConfirm]: fixed('info', 'Confirm backup recovery codes'),
  [Msg.InfoSelfServiceSettingsRegisterWebAuthn]: fixed('info', 'Add security key'),
  [Msg.InfoSelfServiceSettingsRegisterWebAuthnDisplayName]: fixed('info', 'Name of the security key'),
  [Msg.InfoSelfServiceSettingsLookupSecretUsed]: custom<{ used_at: Date }>(
    'info',
    'Secret was used at {used_at}',
    ['used_at', 'used_at_unix'],
    (input) => ({
      text: `Secret was used at ${goTimeString(input.used_at)}`,
      context: { used_at: goTime(input.used_at), used_at_unix: goUnix(input.used_at) },
    }),
  ),
  // The list's text joins the texts of its items (1050009 codes and 1050014 "used at" lines).
  [Msg.InfoSelfServiceSettingsLookupSecretList]: custom<{ secrets: readonly UiText[] }>(
    'info',
    '{secrets_list}',
    ['secrets'],
    (input) => ({
      text: input.secrets.map((secret) => secret.text).join(', '),
      context: { secrets: input.secrets },
    }),
  ),
  [Msg.InfoSelfServiceSettingsDisableLookup]: fixed('info', 'Disable this method'),
  [Msg.InfoSelfServiceSettingsTOTPSecretLabel]: fixed(
    'info',
    'This is your authenticator app secret. Use it if you can not scan the QR code.',
  ),
  [Msg.InfoSelfServiceSettingsRemoveWebAuthn]: removeKey('security key'),
  [Msg.InfoSelfServiceSettingsRegisterPasskey]: fixed('info', 'Add passkey'),
  [Msg.InfoSelfServiceSettingsRemovePasskey]: removeKey('passkey'),
};
