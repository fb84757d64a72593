import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { CourierConfig, CourierTemplateDir, CourierTemplateVariant } from '../../config/index.js';
import { ConfigError, type ConfigIssue } from '../../config/index.js';
import { BUILTIN_TEMPLATES } from './builtin.js';
import { type CompiledPart, compilePart, TemplateCompileError } from './compile.js';
import {
  COURIER_TEMPLATE_TYPES,
  type CourierTemplateData,
  type CourierTemplateType,
  type RenderedEmail,
  type TemplatePart,
} from './types.js';

export { goTemplateHint, SAMPLE_TEMPLATE_DATA, TemplateCompileError } from './compile.js';
export * from './types.js';

/** Every template, compiled: rendering is synchronous, so it can run inside any transaction. */
export interface Templates {
  render(type: CourierTemplateType, data: CourierTemplateData): RenderedEmail;
}

const PARTS: readonly TemplatePart[] = ['subject', 'html', 'plaintext'];
/** Kratos's file names under `template_override_path/<dir>/<variant>/`. */
const OVERRIDE_FILES: Record<TemplatePart, string> = {
  subject: 'email.subject.gotmpl',
  html: 'email.body.gotmpl',
  plaintext: 'email.body.plaintext.gotmpl',
};
const CONFIG_KEYS: Record<TemplatePart, string> = {
  subject: 'subject',
  html: 'body.html',
  plaintext: 'body.plaintext',
};

/** `verification_code_valid` lives in `verification_code/valid`. */
function location(type: CourierTemplateType): { dir: CourierTemplateDir; variant: CourierTemplateVariant } {
  const cut = type.lastIndexOf('_');
  return {
    dir: type.slice(0, cut) as CourierTemplateDir,
    variant: type.slice(cut + 1) as CourierTemplateVariant,
  };
}

interface Source {
  /** The text, or why it could not be read (an errno code). */
  text: string | { readError: string };
  /** Where the text came from, for error messages: a config key, and the file if any. */
  path: string;
  origin?: string;
}

const readError = (error: unknown) => ({ readError: (error as NodeJS.ErrnoException).code ?? String(error) });

/** Reads a `file://` or `base64://` reference (the config area refused every other scheme). */
async function readRef(ref: string, path: string, cwd: string): Promise<Source> {
  if (ref.startsWith('base64://')) {
    return { text: Buffer.from(ref.slice('base64://'.length), 'base64').toString('utf8'), path };
  }
  // Kratos reads file://path/to/x relative to the working directory, file:///abs absolutely.
  const name = ref.slice('file://'.length);
  const file = isAbsolute(name) ? name : resolve(cwd, name);
  return { text: await readFile(file, 'utf8').catch(readError), path, origin: file };
}

/** Per part: `courier.templates.*` first, then `template_override_path`, then the built-in. */
async function sourceOf(
  config: Pick<CourierConfig, 'templates' | 'templateOverridePath'>,
  type: CourierTemplateType,
  part: TemplatePart,
  cwd: string,
): Promise<Source> {
  const { dir, variant } = location(type);
  const ref = config.templates[dir]?.[variant]?.[part];
  if (ref !== undefined) {
    return readRef(ref, `courier.templates.${dir}.${variant}.email.${CONFIG_KEYS[part]}`, cwd);
  }
  if (config.templateOverridePath !== undefined) {
    const file = join(resolve(cwd, config.templateOverridePath), dir, variant, OVERRIDE_FILES[part]);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) =>
      // A file the override directory does not have falls back to the built-in one.
      error.code === 'ENOENT' ? undefined : readError(error),
    );
    if (text !== undefined) return { text, path: 'courier.template_override_path', origin: file };
  }
  return { text: BUILTIN_TEMPLATES[type][part], path: `built-in template ${type}` };
}

/**
 * Loads and compiles every template at start. Every problem is collected into one
 * ConfigError, so a broken override stops the start with all its faults listed.
 *
 * A `template_override_path` that is missing or not a directory is not one of them: as Kratos
 * (load_template.go falls back to the built-in template whenever the file cannot be opened),
 * every template comes from the other sources, and `warn` is told once.
 */
export async function loadTemplates(
  config: Pick<CourierConfig, 'templates' | 'templateOverridePath'>,
  cwd: string = process.cwd(),
  warn: (message: string) => void = () => {},
): Promise<Templates> {
  const issues: ConfigIssue[] = [];
  if (config.templateOverridePath !== undefined) {
    const dir = resolve(cwd, config.templateOverridePath);
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      warn(
        `courier.template_override_path: ${dir} is not a directory; the built-in templates are used (as in Kratos)`,
      );
      config = { templates: config.templates, templateOverridePath: undefined };
    }
  }
  const compiled = new Map<string, CompiledPart>();
  for (const type of COURIER_TEMPLATE_TYPES) {
    for (const part of PARTS) {
      const source = await sourceOf(config, type, part, cwd);
      const where = { path: source.path, ...(source.origin === undefined ? {} : { source: source.origin }) };
      if (typeof source.text !== 'string') {
        issues.push({ ...where, message: `${type} ${part}: cannot be read (${source.text.readError})` });
        continue;
      }
      try {
        compiled.set(`${type}/${part}`, compilePart(source.text, part));
      } catch (error) {
        if (!(error instanceof TemplateCompileError)) throw error;
        issues.push({ ...where, message: `${type} ${part}: ${error.message}` });
      }
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    render(type, data) {
      const part = (name: TemplatePart): string => {
        const render = compiled.get(`${type}/${name}`);
        if (render === undefined) throw new Error(`unknown courier template type ${type}`);
        return render(data);
      };
      return { subject: part('subject'), html: part('html'), plaintext: part('plaintext') };
    },
  };
}
