/**
 * Recovery (1060xxx) and verification (1080xxx) info messages, as in Kratos's
 * `text/message_recovery.go` and `text/message_verification.go`.
 */

import { goFixed2, goTime, goUnix } from '../go-format.js';
import { custom, fixed, templated } from './define.js';
import { Msg } from './ids.js';

/** Input of 1060001: when the privileged session ends; `now` defaults to the current time. */
export interface RecoverySuccessfulContext {
  privileged_session_expires_at: Date;
  now?: Date;
}

export const recoveryMessages = {
  [Msg.InfoSelfServiceRecoverySuccessful]: custom<RecoverySuccessfulContext>(
    'success',
    'You successfully recovered your account. Please change your password or set up an alternative login ' +
      'method (e.g. social sign in) within the next {minutes} minutes.',
    ['privilegedSessionExpiresAt', 'privileged_session_expires_at', 'privileged_session_expires_at_unix'],
    (input) => {
      const expiresAt = input.privileged_session_expires_at;
      const minutesLeft = (expiresAt.getTime() - (input.now ?? new Date()).getTime()) / 60_000;
      return {
        text:
          'You successfully recovered your account. Please change your password or set up an alternative login ' +
          `method (e.g. social sign in) within the next ${goFixed2(minutesLeft)} minutes.`,
        context: {
          privilegedSessionExpiresAt: goTime(expiresAt),
          privileged_session_expires_at: goTime(expiresAt),
          privileged_session_expires_at_unix: goUnix(expiresAt),
        },
      };
    },
  ),
  [Msg.InfoSelfServiceRecoveryEmailSent]: fixed(
    'info',
    'An email containing a recovery link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  ),
  [Msg.InfoSelfServiceRecoveryEmailWithCodeSent]: fixed(
    'info',
    'An email containing a recovery code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  ),
  [Msg.InfoSelfServiceRecoveryMessageMaskedWithCodeSent]: templated(
    'info',
    'A recovery code has been sent to {masked_address}. If you have not received it, check the spelling of the address and make sure to use the address you registered with.',
    ['masked_address'],
  ),
  [Msg.InfoSelfServiceRecoveryAskForFullAddress]: fixed(
    'info',
    'Recover access to your account by providing your recovery address in full.',
  ),
  [Msg.InfoSelfServiceRecoveryAskToChooseAddress]: fixed('info', 'How do you want to recover your account?'),
  [Msg.InfoSelfServiceRecoveryBack]: fixed('info', 'Back'),
};

export const verificationMessages = {
  [Msg.InfoSelfServiceVerificationEmailSent]: fixed(
    'info',
    'An email containing a verification link has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  ),
  [Msg.InfoSelfServiceVerificationSuccessful]: fixed(
    'success',
    'You successfully verified your email address.',
  ),
  [Msg.InfoSelfServiceVerificationEmailWithCodeSent]: fixed(
    'info',
    'An email containing a verification code has been sent to the email address you provided. If you have not received an email, check the spelling of the address and make sure to use the address you registered with.',
  ),
};
