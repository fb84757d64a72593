/**
 * Flow-level errors (4010xxx login and "no strategy", 4040xxx registration, 4050xxx settings,
 * 4060xxx recovery, 4070xxx verification) and the generic system error (5000001).
 */

import { goFixed2, goTime, goUnix } from '../go-format.js';
import { custom, fixed, templated } from './define.js';
import { Msg } from './ids.js';

/** Input of the "flow expired" messages; `now` defaults to the current time. */
export interface FlowExpiredContext {
  expired_at: Date;
  now?: Date;
}

const expired = (flow: string) =>
  custom<FlowExpiredContext>(
    'error',
    `The ${flow} flow expired {minutes} minutes ago, please try again.`,
    ['expired_at', 'expired_at_unix'],
    (input) => {
      const minutesAgo = ((input.now ?? new Date()).getTime() - input.expired_at.getTime()) / 60_000;
      return {
        text: `The ${flow} flow expired ${goFixed2(minutesAgo)} minutes ago, please try again.`,
        context: { expired_at: goTime(input.expired_at), expired_at_unix: goUnix(input.expired_at) },
      };
    },
  );

const ALREADY_DONE = 'The request was already completed successfully and can not be retried.';
const noStrategy = (what: string) =>
  fixed('error', `Could not find a strategy to ${what}. Did you fill out the form correctly?`);

export const flowErrorMessages = {
  [Msg.ErrorValidationLoginFlowExpired]: expired('login'),
  [Msg.ErrorValidationLoginNoStrategyFound]: noStrategy('log you in with'),
  [Msg.ErrorValidationRegistrationNoStrategyFound]: noStrategy('sign you up with'),
  [Msg.ErrorValidationSettingsNoStrategyFound]: noStrategy('update your settings'),
  [Msg.ErrorValidationRecoveryNoStrategyFound]: noStrategy('recover your account with'),
  [Msg.ErrorValidationVerificationNoStrategyFound]: noStrategy('verify your account with'),
  [Msg.ErrorValidationLoginRetrySuccess]: fixed('error', ALREADY_DONE),
  [Msg.ErrorValidationLoginCodeInvalidOrAlreadyUsed]: fixed(
    'error',
    'The login code is invalid or has already been used. Please try again.',
  ),
  [Msg.ErrorValidationLoginLinkedCredentialsDoNotMatch]: fixed('error', 'Linked credentials do not match.'),
  [Msg.ErrorValidationLoginAddressUnknown]: fixed(
    'error',
    'The address you entered does not match any known addresses in the current account.',
  ),
  [Msg.ErrorValidationIdentityDisabled]: fixed(
    'error',
    'This account has been disabled. Please contact support for assistance.',
  ),
  [Msg.ErrorValidationRegistrationFlowExpired]: expired('registration'),
  [Msg.ErrorValidationRegistrationRetrySuccess]: fixed('error', ALREADY_DONE),
  [Msg.ErrorValidationRegistrationCodeInvalidOrAlreadyUsed]: fixed(
    'error',
    'The registration code is invalid or has already been used. Please try again.',
  ),
  [Msg.ErrorValidationSettingsFlowExpired]: expired('settings'),
  [Msg.ErrorValidationRecoveryRetrySuccess]: fixed('error', ALREADY_DONE),
  [Msg.ErrorValidationRecoveryStateFailure]: fixed(
    'error',
    'The recovery flow reached a failure state and must be retried.',
  ),
  [Msg.ErrorValidationRecoveryTokenInvalidOrAlreadyUsed]: fixed(
    'error',
    'The recovery token is invalid or has already been used. Please retry the flow.',
  ),
  [Msg.ErrorValidationRecoveryFlowExpired]: expired('recovery'),
  [Msg.ErrorValidationRecoveryCodeInvalidOrAlreadyUsed]: fixed(
    'error',
    'The recovery code is invalid or has already been used. Please try again.',
  ),
  [Msg.ErrorValidationVerificationTokenInvalidOrAlreadyUsed]: fixed(
    'error',
    'The verification token is invalid or has already been used. Please retry the flow.',
  ),
  [Msg.ErrorValidationVerificationRetrySuccess]: fixed('error', ALREADY_DONE),
  [Msg.ErrorValidationVerificationStateFailure]: fixed(
    'error',
    'The verification flow reached a failure state and must be retried.',
  ),
  [Msg.ErrorValidationVerificationFlowExpired]: expired('verification'),
  [Msg.ErrorValidationVerificationCodeInvalidOrAlreadyUsed]: fixed(
    'error',
    'The verification code is invalid or has already been used. Please try again.',
  ),
  [Msg.ErrorSystemGeneric]: templated('error', '{reason}', ['reason']),
};
