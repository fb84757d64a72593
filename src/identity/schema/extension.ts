/**
 * The `ory.sh/kratos` extension: while Ajv validates traits, every value whose subschema carries
 * the keyword is handed to an {@link ExtensionCollector}, which derives login identifiers,
 * verifiable and recovery addresses from it. Running inside validation (instead of walking the
 * schema afterwards) means `$ref`, `allOf` and `items` are followed exactly as the validator
 * follows them, as Kratos's extension runners do. Only values present in the traits are seen:
 * a schema `default` never becomes an identifier or address.
 */

import type { AnySchemaObject, FuncKeywordDefinition } from 'ajv';
import type { DataValidationCxt } from 'ajv/dist/types/index.js';
import type { AddressVia, JsonObject } from '../model.js';
import { COMPILED_EXTENSION_KEYWORD } from './extension-rename.js';
import { isEmail } from './formats.js';
import { isJsonObject } from './json.js';
import { identifierKindFor, normalizeIdentifier, normalizeIdentifierGraceful, toE164 } from './normalize.js';
import type { AddressEntry, IdentifierCredentialType, TraitsValidationError } from './types.js';

/** What the extension derived from one set of traits. */
export interface ExtensionResult {
  identifiers: Record<IdentifierCredentialType, string[]>;
  codeAddresses: AddressEntry[];
  verifiable: AddressEntry[];
  recovery: AddressEntry[];
  passkeyDisplayName: string | undefined;
  totpAccountName: string | undefined;
}

/** The parts of an `ory.sh/kratos` value this server acts on (see vendor/identity_extension.schema.json). */
interface ExtensionConfig {
  passwordIdentifier: boolean;
  webauthnIdentifier: boolean;
  passkeyDisplayName: boolean;
  totpAccountName: boolean;
  /** Set when `credentials.code.identifier` is true; `via` may still be missing. */
  code: { via: AddressVia | undefined } | undefined;
  verificationVia: AddressVia | undefined;
  recoveryVia: AddressVia | undefined;
}

/**
 * Collects extension output during one validation call. A fresh collector is passed to the
 * compiled validator as `this` (Ajv `passContext`), so concurrent validations never share state.
 */
export class ExtensionCollector {
  readonly errors: TraitsValidationError[] = [];
  private readonly identifiers: Record<IdentifierCredentialType, Set<string>> = {
    password: new Set(),
    webauthn: new Set(),
    code: new Set(),
  };
  private readonly codeAddresses = new Map<string, AddressEntry>();
  private readonly verifiable = new Map<string, AddressEntry>();
  private readonly recovery = new Map<string, AddressEntry>();
  private passkeyDisplayName: string | undefined;
  private totpAccountName: string | undefined;

  /** Handles one value whose subschema has `ory.sh/kratos`. Arrays yield one entry per element. */
  collect(
    rawConfig: unknown,
    data: unknown,
    subschema: AnySchemaObject | undefined,
    instancePath: string,
  ): void {
    if (!isJsonObject(rawConfig)) return;
    const config = readConfig(rawConfig);
    const format = typeof subschema?.format === 'string' ? subschema.format : undefined;
    for (const { value, pointer } of scalarValues(data, `#${instancePath}`)) {
      this.collectValue(config, format, value, pointer);
    }
  }

  /** The collected output, de-duplicated, in the order the values were met. */
  result(): ExtensionResult {
    const webauthn = [...this.identifiers.webauthn];
    return {
      identifiers: {
        password: [...this.identifiers.password],
        webauthn,
        code: [...this.identifiers.code],
      },
      codeAddresses: [...this.codeAddresses.values()],
      verifiable: [...this.verifiable.values()],
      recovery: [...this.recovery.values()],
      passkeyDisplayName: this.passkeyDisplayName ?? webauthn[0],
      totpAccountName: this.totpAccountName,
    };
  }

  private collectValue(
    config: ExtensionConfig,
    format: string | undefined,
    value: string,
    pointer: string,
  ): void {
    // Password and WebAuthn identifiers use the graceful normalisation on purpose: a login form
    // does not know which trait an identifier came from, and must normalise it the same way.
    const identifier = normalizeIdentifierGraceful(value);
    // An empty identifier could never be typed at login and would collide across identities.
    if (config.passwordIdentifier && identifier !== '') this.identifiers.password.add(identifier);
    if (config.webauthnIdentifier && identifier !== '') this.identifiers.webauthn.add(identifier);
    if (config.passkeyDisplayName) this.passkeyDisplayName = value.trim();
    if (config.totpAccountName) this.totpAccountName = value.trim();
    if (config.code !== undefined) this.collectCode(config, format, value, pointer);
    if (config.verificationVia !== undefined)
      this.collectVerification(config.verificationVia, format, value, pointer);
    if (config.recoveryVia !== undefined) this.collectRecovery(config.recoveryVia, value, pointer);
  }

  private collectCode(
    config: ExtensionConfig,
    format: string | undefined,
    value: string,
    pointer: string,
  ): void {
    // Kratos requires `via`; inferring it from the format is kinder than failing every registration.
    const inferred = identifierKindFor(format, []);
    const via =
      config.code?.via ?? (inferred === 'email' ? 'email' : inferred === 'phone' ? 'sms' : undefined);
    if (via === undefined) {
      this.fail(pointer, 'ory.sh/kratos', 'channel type "" must be one of email, sms', {});
      return;
    }
    // As Kratos: an email channel with another format (e.g. `no-validate` plus a `pattern`) leaves
    // validity to the schema and normalises the way a login form's identifier is, so the stored
    // address matches the code-login lookup. SMS always needs a valid number for its E.164 form.
    const normalized =
      via === 'email' && format !== undefined && format !== 'email'
        ? normalizeIdentifierGraceful(value)
        : this.address(via, value, pointer);
    // An empty identifier could never be typed at login and would collide across identities.
    if (normalized === undefined || normalized === '') return;
    this.identifiers.code.add(normalized);
    this.codeAddresses.set(`${via}:${normalized}`, { value: normalized, via });
  }

  private collectVerification(
    via: AddressVia,
    format: string | undefined,
    value: string,
    pointer: string,
  ): void {
    if (format === undefined) {
      if (via === 'sms') {
        // Kratos's wording (identity/extension_verification.go), naming the opt-out format the
        // meta-schema allows.
        this.fail(
          pointer,
          'format',
          'no format specified. A format is required if verification is enabled. If this was intentional, please set "format" to "no-validate"',
          {},
        );
        return;
      }
      if (this.address(via, value, pointer) === undefined) return;
    }
    // A phone number is stored in E.164 (Kratos keeps the trimmed text here, but E.164 in
    // recovery and code addresses; one spelling everywhere keeps them the same address). With
    // `no-validate` a value that is no valid number is kept as typed, trimmed.
    const normalized = normalizeIdentifier(value, via === 'email' ? 'email' : 'phone');
    this.verifiable.set(`${via}:${normalized}`, { value: normalized, via });
  }

  private collectRecovery(via: AddressVia, value: string, pointer: string): void {
    const normalized = this.address(via, value, pointer, { recovery: true });
    if (normalized === undefined) return;
    this.recovery.set(`${via}:${normalized}`, { value: normalized, via });
  }

  /**
   * The normalised address a channel can send to: a valid email (trimmed, lower-cased) or a
   * valid phone number (E.164). Records a `format` error and returns undefined otherwise, worded
   * like the format check (`"x" is not valid "tel"`), in recovery as Kratos's recovery extension
   * words it (`"x" is not valid "tel" for "sms"`).
   */
  private address(
    via: AddressVia,
    value: string,
    pointer: string,
    { recovery = false }: { recovery?: boolean } = {},
  ): string | undefined {
    const format = via === 'email' ? 'email' : 'tel';
    const normalized =
      via === 'email' ? (isEmail(value) ? normalizeIdentifier(value, 'email') : undefined) : toE164(value);
    if (normalized === undefined) {
      const channel = recovery && via === 'sms' ? ' for "sms"' : '';
      this.fail(
        pointer,
        'format',
        `${JSON.stringify(value)} is not valid ${JSON.stringify(format)}${channel}`,
        {
          expected_format: format,
          actual_value: value,
        },
      );
    }
    return normalized;
  }

  private fail(pointer: string, keyword: string, message: string, context: JsonObject): void {
    this.errors.push({ pointer, keyword, message, context });
  }
}

/** Ajv keyword definition for the (renamed) `ory.sh/kratos` keyword. It never fails validation itself. */
export const extensionKeyword: FuncKeywordDefinition = {
  keyword: COMPILED_EXTENSION_KEYWORD,
  schemaType: 'object',
  errors: false,
  validate(
    this: unknown,
    config: unknown,
    data: unknown,
    parentSchema?: AnySchemaObject,
    dataCxt?: DataValidationCxt,
  ): boolean {
    // Without a collector (someone validating without a context) there is nothing to record.
    if (this instanceof ExtensionCollector)
      this.collect(config, data, parentSchema, dataCxt?.instancePath ?? '');
    return true;
  },
};

function readConfig(raw: JsonObject): ExtensionConfig {
  const credentials = child(raw, 'credentials');
  const code = child(credentials, 'code');
  return {
    passwordIdentifier: child(credentials, 'password').identifier === true,
    webauthnIdentifier: child(credentials, 'webauthn').identifier === true,
    passkeyDisplayName: child(credentials, 'passkey').display_name === true,
    totpAccountName: child(credentials, 'totp').account_name === true,
    code: code.identifier === true ? { via: asVia(code.via) } : undefined,
    verificationVia: asVia(child(raw, 'verification').via),
    recoveryVia: asVia(child(raw, 'recovery').via),
  };
}

function child(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  return isJsonObject(value) ? value : {};
}

function asVia(value: unknown): AddressVia | undefined {
  return value === 'email' || value === 'sms' ? value : undefined;
}

/**
 * The string values a trait contributes: a string, a finite number (a phone number stored as a
 * number), or, for an array, each such element with its own pointer.
 */
function scalarValues(data: unknown, pointer: string): { value: string; pointer: string }[] {
  if (typeof data === 'string') return [{ value: data, pointer }];
  if (typeof data === 'number' && Number.isFinite(data)) return [{ value: String(data), pointer }];
  if (Array.isArray(data)) return data.flatMap((item, index) => scalarValues(item, `${pointer}/${index}`));
  return [];
}
