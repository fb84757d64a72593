import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { isLocaleTag, type LocaleDocument, parseLocaleDocument } from './translator.js';

/**
 * Translations shipped with Portcullis, by locale tag. To add one: put `<tag>.json` beside
 * en.json (same shape; `messages` keyed by Kratos message id) and import it here.
 */
export const BUILTIN_LOCALES: Readonly<Record<string, LocaleDocument>> = {};

/** A locale file that cannot be used; the start stops with it. */
export class TranslationFileError extends Error {
  readonly code = 'ui_translation_invalid';

  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`ui.translations_dir: ${file} ${reason}`);
    this.name = 'TranslationFileError';
  }
}

/**
 * Reads every `<tag>.json` in `dir` (`ui.translations_dir`, relative to `cwd`). Other files are
 * ignored; a JSON file with a bad name or shape is an error naming the file.
 */
export async function loadTranslationsDir(dir: string, cwd: string): Promise<Record<string, LocaleDocument>> {
  const root = resolve(cwd, dir);
  const names = (await readdir(root)).filter((name) => name.endsWith('.json')).sort();
  const out: Record<string, LocaleDocument> = {};
  for (const name of names) {
    const tag = basename(name, '.json');
    if (!isLocaleTag(tag))
      throw new TranslationFileError(name, 'is not named after a locale (de.json, pt-BR.json)');
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(join(root, name), 'utf8'));
    } catch {
      throw new TranslationFileError(name, 'is not valid JSON');
    }
    const document = parseLocaleDocument(parsed);
    if (typeof document === 'string') throw new TranslationFileError(name, document);
    out[tag] = document;
  }
  return out;
}
