import { parseDuration } from '../../kernel/duration.js';
import { type OutboundHttpConfig, outboundHttpConfig } from '../../kernel/outbound/config.js';
import { type ConfigDoc, nonEmptyString, objectOrEmpty } from '../document-read.js';
import type { ConfigIssue } from '../errors.js';
import type { KratosConfigDocument } from '../types.js';
import type { AreaResult } from './result.js';

/** The template folders Kratos knows for verification and recovery email. */
export const COURIER_TEMPLATE_DIRS = [
  'verification',
  'verification_code',
  'recovery',
  'recovery_code',
] as const;
export type CourierTemplateDir = (typeof COURIER_TEMPLATE_DIRS)[number];
export type CourierTemplateVariant = 'valid' | 'invalid';

/**
 * The template folders whose `valid.sms` body Portcullis sends: Kratos's code sender sends an
 * SMS for a verification code only (login and registration codes too, which Portcullis does not
 * have); its recovery sends email, so `recovery_code.valid.sms` is never read there either.
 */
export const SMS_TEMPLATE_DIRS = ['verification_code'] as const;
export type SmsTemplateDir = (typeof SMS_TEMPLATE_DIRS)[number];

/** Where one part of an email template comes from: `file://…`, `base64://…`, `http(s)://…`. */
export interface EmailTemplateRefs {
  readonly subject?: string;
  readonly html?: string;
  readonly plaintext?: string;
}

/** `courier.*`, with Kratos's defaults. */
export interface CourierConfig {
  readonly smtp: {
    /** Only a value the operator set: `--dev` with none delivers to the dev inbox instead. */
    readonly connectionUri: string | undefined;
    readonly fromAddress: string;
    readonly fromName: string | undefined;
    readonly headers: Readonly<Record<string, string>>;
    /** The name sent in HELO/EHLO. */
    readonly localName: string;
    readonly clientCertPath: string | undefined;
    readonly clientKeyPath: string | undefined;
  };
  /** Sends after the first that may fail before a message is abandoned. */
  readonly messageRetries: number;
  readonly worker: { readonly pullCount: number; readonly pullWaitMs: number };
  readonly templateOverridePath: string | undefined;
  /** Per-template overrides under `courier.templates.<dir>.<valid|invalid>.email`. */
  readonly templates: Readonly<
    Partial<Record<CourierTemplateDir, Partial<Record<CourierTemplateVariant, EmailTemplateRefs>>>>
  >;
  /**
   * SMS body overrides, `courier.templates.<dir>.valid.sms.body.plaintext`, for the SMS
   * templates Portcullis sends (as Kratos: `verification_code` only; see SMS_TEMPLATE_DIRS).
   */
  readonly smsTemplates: Readonly<Partial<Record<SmsTemplateDir, string>>>;
  /** `clients.http.*`: how `http(s)://` template sources are fetched (as Kratos's HTTP client). */
  readonly templateFetch: OutboundHttpConfig;
  /** Settings that are accepted but have no effect; worth a line in the log. */
  readonly warnings: readonly string[];
}

function int(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The schemes Kratos's fetcher (ory/x/fetcher FetchContext) reads; anything else fails there too. */
const TEMPLATE_SCHEMES = ['file://', 'base64://', 'http://', 'https://'];

/** Reads one `email` template block, refusing sources no fetcher can load. */
function emailRefs(email: ConfigDoc, path: string, issues: ConfigIssue[]): EmailTemplateRefs {
  const body = objectOrEmpty(email.body);
  const parts = { subject: email.subject, html: body.html, plaintext: body.plaintext };
  const keys = { subject: 'subject', html: 'body.html', plaintext: 'body.plaintext' } as const;
  const refs: { subject?: string; html?: string; plaintext?: string } = {};
  for (const part of ['subject', 'html', 'plaintext'] as const) {
    const ref = nonEmptyString(parts[part]);
    if (ref === undefined) continue;
    if (!TEMPLATE_SCHEMES.some((scheme) => ref.startsWith(scheme))) {
      issues.push({
        path: `${path}.${keys[part]}`,
        message: 'must be a file://, base64://, http:// or https:// template source',
      });
      continue;
    }
    refs[part] = ref;
  }
  return refs;
}

function templateRefs(templates: ConfigDoc, issues: ConfigIssue[]): CourierConfig['templates'] {
  const out: Partial<Record<CourierTemplateDir, Partial<Record<CourierTemplateVariant, EmailTemplateRefs>>>> =
    {};
  for (const dir of COURIER_TEMPLATE_DIRS) {
    const variants = objectOrEmpty(templates[dir]);
    for (const variant of ['valid', 'invalid'] as const) {
      const email = objectOrEmpty(objectOrEmpty(variants[variant]).email);
      if (Object.keys(email).length === 0) continue;
      const refs = emailRefs(email, `courier.templates.${dir}.${variant}.email`, issues);
      out[dir] = { ...out[dir], [variant]: refs };
    }
  }
  return out;
}

/**
 * Reads `courier.templates.<dir>.valid.sms.body.plaintext` for the folders Portcullis sends
 * SMS from, and names the other `sms` blocks (the schema allows one under every folder) in
 * `unused`, since nothing reads them.
 */
function smsTemplateRefs(
  templates: ConfigDoc,
  issues: ConfigIssue[],
  unused: string[],
): CourierConfig['smsTemplates'] {
  const out: Partial<Record<SmsTemplateDir, string>> = {};
  for (const dir of COURIER_TEMPLATE_DIRS) {
    const sms = objectOrEmpty(objectOrEmpty(objectOrEmpty(templates[dir]).valid).sms);
    if (Object.keys(sms).length === 0) continue;
    const path = `courier.templates.${dir}.valid.sms`;
    if (!(SMS_TEMPLATE_DIRS as readonly string[]).includes(dir)) {
      unused.push(path);
      continue;
    }
    const ref = nonEmptyString(objectOrEmpty(sms.body).plaintext);
    if (ref === undefined) continue;
    if (!TEMPLATE_SCHEMES.some((scheme) => ref.startsWith(scheme))) {
      issues.push({
        path: `${path}.body.plaintext`,
        message: 'must be a file://, base64://, http:// or https:// template source',
      });
      continue;
    }
    out[dir as SmsTemplateDir] = ref;
  }
  return out;
}

function headers(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(objectOrEmpty(value))) if (typeof v === 'string') out[key] = v;
  return out;
}

/**
 * Reads `courier` (SMTP, templates, worker). HTTP delivery (`delivery_strategy: http`) and the
 * SMS channel (`courier.channels`) are set up by the courier itself
 * (src/courier/channels/http-config.ts).
 */
export function courierConfig(document: KratosConfigDocument): AreaResult<CourierConfig> {
  const courier = objectOrEmpty(document.courier);
  const smtp = objectOrEmpty(courier.smtp);
  const worker = objectOrEmpty(courier.worker);
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  for (const unused of ['registration_code', 'login_code', 'verifiable_address_changed']) {
    if (Object.keys(objectOrEmpty(objectOrEmpty(courier.templates)[unused])).length > 0) {
      warnings.push(`courier.templates.${unused} is not used yet: Portcullis sends no such email`);
    }
  }
  const templates = templateRefs(objectOrEmpty(courier.templates), issues);
  const unusedSms: string[] = [];
  const smsTemplates = smsTemplateRefs(objectOrEmpty(courier.templates), issues, unusedSms);
  for (const path of unusedSms) {
    warnings.push(`${path} is not used: Portcullis sends SMS for verification codes only`);
  }
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      smtp: {
        connectionUri: nonEmptyString(smtp.connection_uri),
        fromAddress: nonEmptyString(smtp.from_address) ?? 'no-reply@ory.kratos.sh',
        fromName: nonEmptyString(smtp.from_name),
        headers: headers(smtp.headers),
        localName: nonEmptyString(smtp.local_name) ?? 'localhost',
        clientCertPath: nonEmptyString(smtp.client_cert_path),
        clientKeyPath: nonEmptyString(smtp.client_key_path),
      },
      messageRetries: int(courier.message_retries, 5),
      worker: {
        pullCount: Math.max(1, int(worker.pull_count, 10)),
        pullWaitMs: parseDuration(nonEmptyString(worker.pull_wait) ?? '1s') ?? 1000,
      },
      templateOverridePath: nonEmptyString(courier.template_override_path),
      templates,
      smsTemplates,
      templateFetch: outboundHttpConfig(document),
      warnings,
    },
  };
}
