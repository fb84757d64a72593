/** Registration messages (1040xxx), as in Kratos's `text/message_registration.go`. */

import { fixed, templated } from './define.js';
import { Msg } from './ids.js';

export const registrationMessages = {
  [Msg.InfoSelfServiceRegistration]: fixed('info', 'Sign up'),
  [Msg.InfoSelfServiceRegistrationWith]: templated('info', 'Sign up with {provider}', [
    'provider',
    'provider_id',
  ]),
  [Msg.InfoSelfServiceRegistrationContinue]: fixed('info', 'Continue'),
  [Msg.InfoSelfServiceRegistrationRegisterWebAuthn]: fixed('info', 'Sign up with security key'),
  [Msg.InfoSelfServiceRegistrationEmailWithCodeSent]: fixed(
    'info',
    'A code has been sent to the address(es) you provided. If you have not received a message, check the spelling of the address and retry the registration.',
  ),
  [Msg.InfoSelfServiceRegistrationRegisterCode]: fixed('info', 'Send sign up code'),
  [Msg.InfoSelfServiceRegistrationRegisterPasskey]: fixed('info', 'Sign up with passkey'),
  [Msg.InfoSelfServiceRegistrationBack]: fixed('info', 'Back'),
  [Msg.InfoSelfServiceRegistrationChooseCredentials]: fixed(
    'info',
    'Please choose a credential to authenticate yourself with.',
  ),
};
