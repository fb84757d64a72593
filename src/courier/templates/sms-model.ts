import type { CourierTemplateData } from './types.js';

/**
 * The variables an SMS carries: those of Kratos's SMS template models (courier/template/sms/*.go:
 * `To`, the code, `Identity`, `RequestURL`, `TransientPayload`, `ExpiresInMinutes`), never a
 * link. Both the SMS's rendering and its `template_data` use this, so an SMS shows the same
 * variables to its template and to the channel's Jsonnet body as Kratos's would.
 */
export function smsTemplateData(data: CourierTemplateData): CourierTemplateData {
  const out: CourierTemplateData = { To: data.To };
  if (data.VerificationCode !== undefined) out.VerificationCode = data.VerificationCode;
  if (data.Identity !== undefined) out.Identity = data.Identity;
  if (data.RequestURL !== undefined) out.RequestURL = data.RequestURL;
  if (data.TransientPayload !== undefined) out.TransientPayload = data.TransientPayload;
  if (data.ExpiresInMinutes !== undefined) out.ExpiresInMinutes = data.ExpiresInMinutes;
  return out;
}
