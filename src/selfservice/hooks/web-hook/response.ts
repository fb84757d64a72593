import type { JsonObject, JsonValue } from '../../../identity/model.js';
import { isRecord } from '../../../kernel/json.js';
import type { UiText } from '../../flow/messages.js';

/** What a parse hook's 200 answer may change on the identity before it is saved. */
export interface IdentityPatch {
  traits?: JsonObject;
  schema_id?: string;
  state?: string;
  metadata_public?: JsonValue;
  metadata_admin?: JsonValue;
  verifiable_addresses?: JsonValue[];
  recovery_addresses?: JsonValue[];
  /** Set when the answer names `external_id` at all: a string sets it, `null` or `""` clears it. */
  external_id?: string | null;
}

export type ParsedResponse =
  | { kind: 'ok'; patch?: IdentityPatch }
  /** A 4xx with messages: the flow stops and shows them on the nodes they name. */
  | { kind: 'validation'; fields: Record<string, UiText[]>; form: UiText[] }
  /**
   * `unreadable`: a parse hook's answer that Kratos cannot decode (a 4xx without messages, a
   * body that is not JSON), which it fails with a plain error (500) rather than a 502.
   */
  | { kind: 'failed'; reason: string; unreadable?: true };

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Kratos's words when a parse hook's answer does not decode. */
const UNMARSHAL = 'webhook response could not be unmarshalled properly from JSON';

/** `#/traits/email` -> `traits.email`; the root (`#`, `#/`, empty) means the whole form. */
function nodeName(pointer: string): string | undefined {
  const path = pointer.replace(/^#\/?/, '');
  return path === '' ? undefined : path.split('/').join('.');
}

/**
 * Reads a web hook's answer as Kratos does. Any status of 400 or more stops the flow; a parse
 * hook's 4xx body `{messages: [{instance_ptr, messages: [{id, text, type, context}]}]}` becomes
 * node messages. A parse hook's 200 body `{identity: {...}}` is a patch for the identity; 204
 * and other 2xx change nothing.
 */
export function parseWebHookResponse(
  status: number,
  body: Buffer,
  parse: boolean,
  parseSuccess: boolean = parse,
): ParsedResponse {
  if (status >= 400) {
    if (!parse) return { kind: 'failed', reason: `the web hook answered ${status}` };
    const json = parseJson(body);
    if (json === undefined) return { kind: 'failed', reason: UNMARSHAL, unreadable: true };
    const entries = isRecord(json) && Array.isArray(json.messages) ? json.messages : [];
    const fields: Record<string, UiText[]> = {};
    const form: UiText[] = [];
    for (const entry of entries) {
      if (!isRecord(entry) || !Array.isArray(entry.messages)) continue;
      const texts = entry.messages.filter(isRecord).map(
        (m): UiText => ({
          id: typeof m.id === 'number' ? m.id : 0,
          text: typeof m.text === 'string' ? m.text : '',
          type: m.type === 'error' ? 'error' : 'info',
          ...(isRecord(m.context) ? { context: m.context } : {}),
        }),
      );
      const name = nodeName(typeof entry.instance_ptr === 'string' ? entry.instance_ptr : '');
      if (name === undefined) form.push(...texts);
      else fields[name] = [...(fields[name] ?? []), ...texts];
    }
    if (form.length === 0 && Object.keys(fields).length === 0) {
      return {
        kind: 'failed',
        reason: 'error while parsing webhook response: got no validation errors',
        unreadable: true,
      };
    }
    return { kind: 'validation', fields, form };
  }
  if (!parseSuccess || status !== 200) return { kind: 'ok' };
  const json = parseJson(body);
  if (json === undefined) return { kind: 'failed', reason: UNMARSHAL, unreadable: true };
  if (!isRecord(json) || !isRecord(json.identity)) return { kind: 'ok' };
  const identity = json.identity;
  const patch: IdentityPatch = {};
  if (isRecord(identity.traits) && Object.keys(identity.traits).length > 0)
    patch.traits = identity.traits as JsonObject;
  if (typeof identity.schema_id === 'string' && identity.schema_id !== '')
    patch.schema_id = identity.schema_id;
  if (typeof identity.state === 'string' && identity.state !== '') patch.state = identity.state;
  if (identity.metadata_public !== undefined && identity.metadata_public !== null)
    patch.metadata_public = identity.metadata_public as JsonValue;
  if (identity.metadata_admin !== undefined && identity.metadata_admin !== null)
    patch.metadata_admin = identity.metadata_admin as JsonValue;
  if (Array.isArray(identity.verifiable_addresses) && identity.verifiable_addresses.length > 0)
    patch.verifiable_addresses = identity.verifiable_addresses as JsonValue[];
  if (Array.isArray(identity.recovery_addresses) && identity.recovery_addresses.length > 0)
    patch.recovery_addresses = identity.recovery_addresses as JsonValue[];
  // Kratos sets external_id whenever the key is there (gjson Exists), so a hook can link the new
  // identity to its record in another system, or unlink it. Anything but a string or null does
  // not decode into Kratos's field, and fails the hook there too.
  if ('external_id' in identity) {
    const externalId = identity.external_id;
    if (externalId !== null && typeof externalId !== 'string')
      return { kind: 'failed', reason: UNMARSHAL, unreadable: true };
    patch.external_id = externalId === '' ? null : externalId;
  }
  return { kind: 'ok', patch };
}
