import type { CourierTemplateType, RenderedEmail, SmsTemplateType } from './types.js';

/**
 * The built-in templates, as Go templates (the syntax Kratos's overrides use): subjects and
 * plain text run as text/template, HTML bodies as html/template. Kept in code rather than in
 * .gotmpl files so the compiled package carries them without a copy step.
 */

/** Wraps HTML paragraphs in a minimal, client-safe document (inline styles only). */
function page(title: string, paragraphs: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328; line-height: 1.5;">',
    ...paragraphs.map((p) => `<p>${p}</p>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const CODE_STYLE = 'font-size: 24px; font-weight: bold; letter-spacing: 4px; font-family: monospace;';
const expiry = (what: string) =>
  `{{ if .ExpiresInMinutes }}This ${what} expires in {{ .ExpiresInMinutes }} minutes.{{ end }}`;
const IGNORE = 'If you did not ask for this, you can ignore this email.';

function codeEmail(options: {
  subject: string;
  intro: string;
  code: string;
  url: string;
  ignore: string;
}): RenderedEmail {
  return {
    subject: options.subject,
    html: page(options.subject, [
      'Hi,',
      `${options.intro}:`,
      `<span style="${CODE_STYLE}">{{ .${options.code} }}</span>`,
      `{{ if .${options.url} }}Or open this link: <a href="{{ .${options.url} }}">{{ .${options.url} }}</a>{{ end }}`,
      expiry('code'),
      options.ignore,
    ]),
    plaintext: [
      'Hi,',
      '',
      `${options.intro}:`,
      '',
      `{{ .${options.code} }}`,
      '',
      `{{ if .${options.url} }}Or open this link: {{ .${options.url} }}{{ end }}`,
      '',
      expiry('code'),
      '',
      options.ignore,
      '',
    ].join('\n'),
  };
}

function linkEmail(options: { subject: string; intro: string; url: string; ignore: string }): RenderedEmail {
  return {
    subject: options.subject,
    html: page(options.subject, [
      'Hi,',
      `${options.intro}:`,
      `<a href="{{ .${options.url} }}">{{ .${options.url} }}</a>`,
      expiry('link'),
      options.ignore,
    ]),
    plaintext: [
      'Hi,',
      '',
      `${options.intro}:`,
      '',
      `{{ .${options.url} }}`,
      '',
      expiry('link'),
      '',
      options.ignore,
      '',
    ].join('\n'),
  };
}

function unknownAddressEmail(subject: string, attempt: string): RenderedEmail {
  const lines = [
    'Hi,',
    `someone (maybe you) asked to ${attempt} using this email address, but no account uses it, so nothing was sent.`,
    'If it was you, perhaps you signed up with a different address.',
    'If it was not you, you can ignore this email.',
  ];
  return {
    subject,
    html: page(subject, lines),
    plaintext: `${lines.join('\n\n')}\n`,
  };
}

const VERIFY_SUBJECT = 'Please verify your email address';
const RECOVER_SUBJECT = 'Recover access to your account';

export const BUILTIN_TEMPLATES: Readonly<Record<CourierTemplateType, RenderedEmail>> = {
  verification_code_valid: codeEmail({
    subject: VERIFY_SUBJECT,
    intro: 'please verify your email address by entering this code',
    code: 'VerificationCode',
    url: 'VerificationURL',
    ignore: IGNORE,
  }),
  verification_valid: linkEmail({
    subject: VERIFY_SUBJECT,
    intro: 'please verify your email address by opening this link',
    url: 'VerificationURL',
    ignore: IGNORE,
  }),
  verification_code_invalid: unknownAddressEmail(
    'Someone tried to verify this email address',
    'verify an account',
  ),
  verification_invalid: unknownAddressEmail(
    'Someone tried to verify this email address',
    'verify an account',
  ),
  recovery_code_valid: codeEmail({
    subject: RECOVER_SUBJECT,
    intro: 'to recover access to your account, enter this code',
    code: 'RecoveryCode',
    url: 'RecoveryURL',
    ignore: `${IGNORE} Your password has not been changed.`,
  }),
  recovery_valid: linkEmail({
    subject: RECOVER_SUBJECT,
    intro: 'to recover access to your account, open this link',
    url: 'RecoveryURL',
    ignore: `${IGNORE} Your password has not been changed.`,
  }),
  recovery_code_invalid: unknownAddressEmail('Account access attempted', 'recover access to an account'),
  recovery_invalid: unknownAddressEmail('Account access attempted', 'recover access to an account'),
};

/**
 * The built-in SMS bodies: Kratos's own `sms.body.gotmpl` texts, word for word
 * (courier/template/courier/builtin/templates/<dir>/valid/sms.body.gotmpl), never a link
 * (Kratos's SMS models have none).
 */
export const BUILTIN_SMS_TEMPLATES: Readonly<Record<SmsTemplateType, string>> = {
  verification_code_valid:
    'Your verification code is: {{ .VerificationCode }}\n\nIf this was not you, do nothing. It expires in {{ .ExpiresInMinutes }} minutes.\n',
};
