import { NIL_MAP } from '../../proxy/template/values.js';
import type { CourierTemplateData } from './types.js';

/**
 * What a template sees: Kratos's template model (courier/template/email/*.go), a Go struct, so
 * every variable is there with its zero value when unset — `""` for the strings, an empty map
 * for `.Identity` and `.TransientPayload`, `0` for `.ExpiresInMinutes` (a Go int) — and
 * `{{ .RecoveryURL }}` prints nothing rather than `<no value>` when a message has no link.
 */
export function templateModel(data: CourierTemplateData): Record<string, unknown> {
  return {
    To: data.To,
    VerificationURL: data.VerificationURL ?? '',
    VerificationCode: data.VerificationCode ?? '',
    RecoveryURL: data.RecoveryURL ?? '',
    RecoveryCode: data.RecoveryCode ?? '',
    Identity: data.Identity ?? NIL_MAP,
    RequestURL: data.RequestURL ?? '',
    TransientPayload: data.TransientPayload ?? NIL_MAP,
    ExpiresInMinutes: BigInt(Math.trunc(data.ExpiresInMinutes ?? 0)),
  };
}
