import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { SmsTemplateDir } from '../../config/areas/courier.js';
import type { CourierConfig, CourierTemplateDir, CourierTemplateVariant } from '../../config/index.js';
import type { OutboundHttp } from '../../kernel/http-client.js';
import type { TemplateSetFile } from '../../proxy/template/template-set.js';
import type { TemplatePart } from './types.js';

/** A file Kratos reads under `template_override_path/<dir>/<variant>/`, and the glob it parses with it. */
interface OverrideFile {
  name: string;
  prefix: string;
}

const OVERRIDE_FILES: Record<TemplatePart, OverrideFile> = {
  subject: { name: 'email.subject.gotmpl', prefix: 'email.subject' },
  html: { name: 'email.body.gotmpl', prefix: 'email.body' },
  plaintext: { name: 'email.body.plaintext.gotmpl', prefix: 'email.body.plaintext' },
};

/** An SMS body: `<dir>/valid/sms.body.gotmpl`, with the `sms.body*` glob (Kratos's sms templates). */
const SMS_OVERRIDE_FILE: OverrideFile = { name: 'sms.body.gotmpl', prefix: 'sms.body' };
export const CONFIG_KEYS: Record<TemplatePart, string> = {
  subject: 'subject',
  html: 'body.html',
  plaintext: 'body.plaintext',
};

/** Kratos's HTTP client gives up after 30 s; so does a template fetch. */
export const FETCH_TIMEOUT_MS = 30_000;
/** Templates are small; a bigger answer is a mistake. */
const MAX_FETCH_BYTES = 512 * 1024;

/** Where one part's template set comes from, or why it could not be read. */
export interface PartSource {
  files: TemplateSetFile[] | { readError: string };
  /** The template of the set that renders the part. */
  entry: string;
  /** A config key, or `built-in template <type>`, for error messages. */
  path: string;
  /** The file or URL, when there is one. */
  origin?: string;
}

const readError = (error: unknown) => ({
  readError:
    (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error)),
});

/**
 * Reads a `courier.templates` reference as Kratos's fetcher does (ory/x/fetcher FetchContext):
 * `base64://`, `file://` (relative to the working directory, or `file:///absolute`) and
 * `http(s)://` (a 200 answer only), one template named by its URL.
 */
async function fetchRef(ref: string, cwd: string, http: () => OutboundHttp): Promise<PartSource['files']> {
  try {
    let text: string;
    if (ref.startsWith('base64://')) {
      text = Buffer.from(ref.slice('base64://'.length), 'base64').toString('utf8');
    } else if (ref.startsWith('file://')) {
      const name = ref.slice('file://'.length);
      text = await readFile(isAbsolute(name) ? name : resolve(cwd, name), 'utf8');
    } else {
      const response = await http().request({
        url: ref,
        method: 'GET',
        timeoutMs: FETCH_TIMEOUT_MS,
        maxResponseBytes: MAX_FETCH_BYTES,
      });
      if (response.status !== 200)
        return { readError: `expected HTTP status 200 but got ${response.status}` };
      text = response.body.toString('utf8');
    }
    return [{ name: ref, source: text }];
  } catch (error) {
    return readError(error);
  }
}

/** Where a `file://` reference reads from (for messages); the URL for `http(s)://`. */
function originOf(ref: string, cwd: string): string | undefined {
  if (ref.startsWith('base64://')) return undefined;
  if (!ref.startsWith('file://')) return ref;
  const name = ref.slice('file://'.length);
  return isAbsolute(name) ? name : resolve(cwd, name);
}

/**
 * Kratos's loadTemplate for `template_override_path`: when `<dir>/<variant>/<name>` exists, every
 * file of that folder matching `<prefix>*` (Go's fs.Glob, in name order) is parsed into one set
 * — so `email.body.html.en_US.gotmpl` and friends can hold `{{define}}`s that
 * `email.body.gotmpl` calls — and the set runs `<name>`. When it does not exist: undefined.
 */
async function overrideSet(
  root: string,
  dir: CourierTemplateDir,
  variant: CourierTemplateVariant,
  file: OverrideFile,
): Promise<PartSource | undefined> {
  const folder = join(root, dir, variant);
  const { name, prefix } = file;
  const names = await readdir(folder).catch(() => [] as string[]);
  if (!names.includes(name)) return undefined;
  const origin = join(folder, name);
  const files: TemplateSetFile[] = [];
  for (const match of names.filter((n) => n.startsWith(prefix)).sort()) {
    try {
      files.push({ name: match, source: await readFile(join(folder, match), 'utf8') });
    } catch (error) {
      return {
        files: readError(error),
        entry: name,
        path: 'courier.template_override_path',
        origin: join(folder, match),
      };
    }
  }
  return { files, entry: name, path: 'courier.template_override_path', origin };
}

/** Per part: `courier.templates.*` first, then `template_override_path`, then undefined (the built-in). */
export async function sourceOf(
  config: Pick<CourierConfig, 'templates' | 'templateOverridePath'>,
  dir: CourierTemplateDir,
  variant: CourierTemplateVariant,
  part: TemplatePart,
  cwd: string,
  http: () => OutboundHttp,
): Promise<PartSource | undefined> {
  const ref = config.templates[dir]?.[variant]?.[part];
  if (ref !== undefined) {
    const origin = originOf(ref, cwd);
    return {
      files: await fetchRef(ref, cwd, http),
      entry: ref,
      path: `courier.templates.${dir}.${variant}.email.${CONFIG_KEYS[part]}`,
      ...(origin === undefined ? {} : { origin }),
    };
  }
  if (config.templateOverridePath === undefined) return undefined;
  return overrideSet(resolve(cwd, config.templateOverridePath), dir, variant, OVERRIDE_FILES[part]);
}

/**
 * An SMS body's source, as Kratos's LoadText for `sms.body.gotmpl`:
 * `courier.templates.<dir>.valid.sms.body.plaintext` first, then `template_override_path`, then
 * undefined (the built-in).
 */
export async function smsSourceOf(
  config: Pick<CourierConfig, 'smsTemplates' | 'templateOverridePath'>,
  dir: SmsTemplateDir,
  cwd: string,
  http: () => OutboundHttp,
): Promise<PartSource | undefined> {
  const ref = config.smsTemplates[dir];
  if (ref !== undefined) {
    const origin = originOf(ref, cwd);
    return {
      files: await fetchRef(ref, cwd, http),
      entry: ref,
      path: `courier.templates.${dir}.valid.sms.body.plaintext`,
      ...(origin === undefined ? {} : { origin }),
    };
  }
  if (config.templateOverridePath === undefined) return undefined;
  return overrideSet(resolve(cwd, config.templateOverridePath), dir, 'valid', SMS_OVERRIDE_FILE);
}
