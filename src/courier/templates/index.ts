import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { SmsTemplateDir } from '../../config/areas/courier.js';
import type { CourierConfig, CourierTemplateDir, CourierTemplateVariant } from '../../config/index.js';
import { ConfigError, type ConfigIssue } from '../../config/index.js';
import { createOutboundHttp, type OutboundHttp, type OutboundHttpClient } from '../../kernel/http-client.js';
import { BUILTIN_SMS_TEMPLATES, BUILTIN_TEMPLATES } from './builtin.js';
import { type CompiledPart, compilePart, SAMPLE_TEMPLATE_DATA, TemplateCompileError } from './compile.js';
import { type PartSource, smsSourceOf, sourceOf } from './sources.js';
import {
  COURIER_TEMPLATE_TYPES,
  type CourierTemplateData,
  type CourierTemplateType,
  type RenderedEmail,
  SMS_TEMPLATE_TYPES,
  type SmsTemplateType,
  type TemplatePart,
} from './types.js';

export { SAMPLE_TEMPLATE_DATA, TemplateCompileError } from './compile.js';
export { smsTemplateData } from './sms-model.js';
export * from './types.js';

/** Every template, compiled: rendering is synchronous, so it can run inside any transaction. */
export interface Templates {
  /** Throws TemplateCompileError when a template fails for this message's data. */
  render(type: CourierTemplateType, data: CourierTemplateData): RenderedEmail;
  /** An SMS body. Throws TemplateCompileError when the template fails for this message's data. */
  renderSms(type: SmsTemplateType, data: CourierTemplateData): string;
}

/** Where each SMS template lives: `verification_code_valid` in `verification_code/valid`. */
const SMS_TEMPLATE_DIR: Readonly<Record<SmsTemplateType, SmsTemplateDir>> = {
  verification_code_valid: 'verification_code',
};

const PARTS: readonly TemplatePart[] = ['subject', 'html', 'plaintext'];

/** `verification_code_valid` lives in `verification_code/valid`. */
function location(type: CourierTemplateType): { dir: CourierTemplateDir; variant: CourierTemplateVariant } {
  const cut = type.lastIndexOf('_');
  return {
    dir: type.slice(0, cut) as CourierTemplateDir,
    variant: type.slice(cut + 1) as CourierTemplateVariant,
  };
}

function builtin(type: CourierTemplateType, part: TemplatePart): PartSource {
  const name = `${type}/${part}`;
  return {
    files: [{ name, source: BUILTIN_TEMPLATES[type][part] }],
    entry: name,
    path: `built-in template ${type}`,
  };
}

function builtinSms(type: SmsTemplateType): PartSource {
  const name = `${type}/sms`;
  return {
    files: [{ name, source: BUILTIN_SMS_TEMPLATES[type] }],
    entry: name,
    path: `built-in SMS template ${type}`,
  };
}

/**
 * Loads and compiles every template at start. Every problem is collected into one
 * ConfigError, so a broken override stops the start with all its faults listed.
 *
 * `http(s)://` sources are fetched here, once, through an outbound client that honours
 * `clients.http.disallow_private_ip_ranges` (`config.templateFetch`); Kratos fetches them when
 * the first message needs them and keeps them in its template cache. A source that cannot be
 * fetched stops the start, as one that cannot be read.
 *
 * A `template_override_path` that is missing or not a directory is not one of them: as Kratos
 * (load_template.go falls back to the built-in template whenever the file cannot be opened),
 * every template comes from the other sources, and `warn` is told once.
 */
export async function loadTemplates(
  config: Pick<CourierConfig, 'templates' | 'templateOverridePath'> &
    Partial<Pick<CourierConfig, 'templateFetch' | 'smsTemplates'>>,
  cwd: string = process.cwd(),
  warn: (message: string) => void = () => {},
): Promise<Templates> {
  const issues: ConfigIssue[] = [];
  let templateOverridePath = config.templateOverridePath;
  if (templateOverridePath !== undefined) {
    const dir = resolve(cwd, templateOverridePath);
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      warn(
        `courier.template_override_path: ${dir} is not a directory; the built-in templates are used (as in Kratos)`,
      );
      templateOverridePath = undefined;
    }
  }
  let client: OutboundHttpClient | undefined;
  const http = (): OutboundHttp => {
    client ??= createOutboundHttp({
      disallowPrivateIpRanges: config.templateFetch?.disallowPrivateIpRanges ?? false,
      privateIpExceptionUrls: config.templateFetch?.privateIpExceptionUrls ?? [],
    });
    return client;
  };
  const compiled = new Map<string, CompiledPart>();
  /** Compiles one part into `compiled` under `key`, or records why it cannot be. */
  const compileInto = (key: string, label: string, source: PartSource, part: TemplatePart): void => {
    const where = {
      path: source.path,
      ...(source.origin === undefined ? {} : { source: source.origin }),
    };
    if (!Array.isArray(source.files)) {
      issues.push({ ...where, message: `${label}: cannot be read (${source.files.readError})` });
      return;
    }
    try {
      const { render, warning } = compilePart(source.files, source.entry, part);
      compiled.set(key, render);
      if (warning !== undefined) warn(`${source.path}: ${label}: ${warning}`);
    } catch (error) {
      if (!(error instanceof TemplateCompileError)) throw error;
      issues.push({ ...where, message: `${label}: ${error.message}` });
    }
  };
  try {
    for (const type of COURIER_TEMPLATE_TYPES) {
      const { dir, variant } = location(type);
      for (const part of PARTS) {
        const source =
          (await sourceOf(
            { templates: config.templates, templateOverridePath },
            dir,
            variant,
            part,
            cwd,
            http,
          )) ?? builtin(type, part);
        compileInto(`${type}/${part}`, `${type} ${part}`, source, part);
      }
    }
    for (const type of SMS_TEMPLATE_TYPES) {
      const source =
        (await smsSourceOf(
          { smsTemplates: config.smsTemplates ?? {}, templateOverridePath },
          SMS_TEMPLATE_DIR[type],
          cwd,
          http,
        )) ?? builtinSms(type);
      // An SMS body is text/template, as an email's plain text (Kratos's LoadText).
      compileInto(`${type}/sms`, `${type} sms`, source, 'plaintext');
    }
  } finally {
    await client?.close();
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const run = (key: string, data: CourierTemplateData): string => {
    const render = compiled.get(key);
    if (render === undefined) throw new Error(`unknown courier template ${key}`);
    if (data !== SAMPLE_TEMPLATE_DATA) return render(data);
    // The courier renders the sample to check its HTTP body templates; a part that fails for
    // the sample was already warned about at load, and must not stop that check.
    try {
      return render(data);
    } catch (error) {
      if (error instanceof TemplateCompileError) return '';
      throw error;
    }
  };
  return {
    render(type, data) {
      const part = (name: TemplatePart): string => run(`${type}/${name}`, data);
      return { subject: part('subject'), html: part('html'), plaintext: part('plaintext') };
    },
    renderSms: (type, data) => run(`${type}/sms`, data),
  };
}
