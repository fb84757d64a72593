/**
 * Traits of an identity that signs in with a phone number and verifies it by SMS, as Kratos's
 * phone-password example: `format: tel`, `verification.via: sms`.
 */
export const PHONE_TRAITS = {
  properties: {
    phone: {
      type: 'string',
      format: 'tel',
      'ory.sh/kratos': {
        credentials: { password: { identifier: true } },
        verification: { via: 'sms' },
        recovery: { via: 'sms' },
      },
    },
  },
  required: ['phone'],
  additionalProperties: false,
};
