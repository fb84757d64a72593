/** The email templates Portcullis sends, named as Kratos names them in `template_type`. */
export type CourierTemplateType =
  | 'verification_code_valid'
  | 'verification_code_invalid'
  | 'verification_valid'
  | 'verification_invalid'
  | 'recovery_code_valid'
  | 'recovery_code_invalid'
  | 'recovery_valid'
  | 'recovery_invalid';

export const COURIER_TEMPLATE_TYPES: readonly CourierTemplateType[] = [
  'verification_code_valid',
  'verification_code_invalid',
  'verification_valid',
  'verification_invalid',
  'recovery_code_valid',
  'recovery_code_invalid',
  'recovery_valid',
  'recovery_invalid',
];

/**
 * The SMS templates Portcullis sends, by Kratos's `template_type`: as Kratos's code sender, a
 * verification code to an address whose `via` is `sms` (Kratos has no SMS for links, recovery
 * in its form-based flow, or unknown recipients).
 */
export type SmsTemplateType = 'verification_code_valid';

export const SMS_TEMPLATE_TYPES: readonly SmsTemplateType[] = ['verification_code_valid'];

/** Template variables, spelled as in Kratos so that ported templates keep their names. */
export interface CourierTemplateData {
  To: string;
  VerificationCode?: string;
  VerificationURL?: string;
  RecoveryCode?: string;
  RecoveryURL?: string;
  Identity?: Record<string, unknown>;
  ExpiresInMinutes?: number;
  /** The URL of the request that started the flow the message belongs to (the flow's `request_url`). */
  RequestURL?: string;
  /** The `transient_payload` object submitted with the flow step that sent the message (`{}` without one). */
  TransientPayload?: Record<string, unknown>;
}

/** The three parts of an email; `subject` is one line. */
export interface RenderedEmail {
  subject: string;
  html: string;
  plaintext: string;
}

export type TemplatePart = keyof RenderedEmail;
