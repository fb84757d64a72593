import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CourierConfig, CourierTemplateDir, CourierTemplateVariant } from '../../config/index.js';
import { ConfigError, type ConfigIssue } from '../../config/index.js';
import { createOutboundHttp, type OutboundHttp, type OutboundHttpClient } from '../../kernel/http-client.js';
import { BUILTIN_TEMPLATES } from './builtin.js';
import { type CompiledPart, compilePart, SAMPLE_TEMPLATE_DATA, TemplateCompileError } from './compile.js';
import { type PartSource, sourceOf } from './sources.js';
import {
  COURIER_TEMPLATE_TYPES,
  type CourierTemplateData,
  type CourierTemplateType,
  type RenderedEmail,
  type TemplatePart,
} from './types.js';

export { SAMPLE_TEMPLATE_DATA, TemplateCompileError } from './compile.js';
export * from './types.js';

/** Every template, compiled: rendering is synchronous, so it can run inside any transaction. */
export interface Templates {
  /** Throws TemplateCompileError when a template fails for this message's data. */
  render(type: CourierTemplateType, data: CourierTemplateData): RenderedEmail;
}

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
    Partial<Pick<CourierConfig, 'templateFetch'>>,
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
        const where = {
          path: source.path,
          ...(source.origin === undefined ? {} : { source: source.origin }),
        };
        if (!Array.isArray(source.files)) {
          issues.push({ ...where, message: `${type} ${part}: cannot be read (${source.files.readError})` });
          continue;
        }
        try {
          const { render, warning } = compilePart(source.files, source.entry, part);
          compiled.set(`${type}/${part}`, render);
          if (warning !== undefined) warn(`${source.path}: ${type} ${part}: ${warning}`);
        } catch (error) {
          if (!(error instanceof TemplateCompileError)) throw error;
          issues.push({ ...where, message: `${type} ${part}: ${error.message}` });
        }
      }
    }
  } finally {
    await client?.close();
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    render(type, data) {
      const part = (name: TemplatePart): string => {
        const render = compiled.get(`${type}/${name}`);
        if (render === undefined) throw new Error(`unknown courier template type ${type}`);
        if (data !== SAMPLE_TEMPLATE_DATA) return render(data);
        // The courier renders the sample to check its HTTP body template; a part that fails for
        // the sample was already warned about at load, and must not stop that check.
        try {
          return render(data);
        } catch (error) {
          if (error instanceof TemplateCompileError) return '';
          throw error;
        }
      };
      return { subject: part('subject'), html: part('html'), plaintext: part('plaintext') };
    },
  };
}
