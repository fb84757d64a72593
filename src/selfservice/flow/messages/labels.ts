/** Node label messages (1070xxx), as in Kratos's `text/message_node.go`. */

import { custom, fixed } from './define.js';
import { Msg } from './ids.js';

/**
 * Input of 1070002, a label taken from the identity schema: `title` is the text; recent Kratos
 * releases also send the field's `name`.
 */
export interface GeneratedLabelContext {
  title: string;
  name?: string;
}

export const labelMessages = {
  [Msg.InfoNodeLabelInputPassword]: fixed('info', 'Password'),
  [Msg.InfoNodeLabelGenerated]: custom<GeneratedLabelContext>(
    'info',
    '{title}',
    ['title', 'name'],
    (input) => ({
      text: input.title,
      context: input.name === undefined ? { title: input.title } : { name: input.name, title: input.title },
    }),
  ),
  [Msg.InfoNodeLabelSave]: fixed('info', 'Save'),
  [Msg.InfoNodeLabelID]: fixed('info', 'ID'),
  [Msg.InfoNodeLabelSubmit]: fixed('info', 'Submit'),
  [Msg.InfoNodeLabelVerifyOTP]: fixed('info', 'Verify code'),
  [Msg.InfoNodeLabelEmail]: fixed('info', 'Email'),
  [Msg.InfoNodeLabelResendOTP]: fixed('info', 'Resend code'),
  [Msg.InfoNodeLabelContinue]: fixed('info', 'Continue'),
  [Msg.InfoNodeLabelRecoveryCode]: fixed('info', 'Recovery code'),
  [Msg.InfoNodeLabelVerificationCode]: fixed('info', 'Verification code'),
  [Msg.InfoNodeLabelRegistrationCode]: fixed('info', 'Registration code'),
  [Msg.InfoNodeLabelLoginCode]: fixed('info', 'Login code'),
  [Msg.InfoNodeLabelLoginAndLinkCredential]: fixed('info', 'Login and link credential'),
  [Msg.InfoNodeLabelCaptcha]: fixed('info', 'Please complete the captcha challenge to continue.'),
  [Msg.InfoNodeLabelRecoveryAddress]: fixed('info', 'Recovery address'),
  [Msg.InfoNodeLabelPhoneNumber]: fixed('info', 'Phone number'),
};
