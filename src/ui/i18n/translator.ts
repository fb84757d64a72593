/**
 * The UI's text: one catalogue per locale, keyed by the UI's own keys (`login.title`) and by
 * Kratos message id (`4000006`). English is built in and complete for the UI's keys; English
 * message texts are the ones the flow carries (the server's catalogue), so a locale file only
 * lists message ids it translates. A missing key or message falls back to English, then to
 * the node's own text.
 */

import type { UiText } from '../../selfservice/flow/messages.js';
import en from './en.json' with { type: 'json' };

/** A key of the UI's own text (page titles, buttons that are not in Kratos's catalogue). */
export type UiKey = keyof typeof en.ui;

/** Values a text's `{placeholder}`s are filled with. */
export type TextVars = Readonly<Record<string, string | number>>;

/** One locale file: `{ "ui": { key: text }, "messages": { "<kratos id>": text } }`. */
export interface LocaleDocument {
  readonly ui: Readonly<Record<string, string>>;
  readonly messages: Readonly<Record<string, string>>;
}

/** The text of one request, in the locale its `Accept-Language` picked. */
export interface Translator {
  /** A BCP 47 tag, for `<html lang>`. */
  readonly locale: string;
  t(key: UiKey, vars?: TextVars): string;
  /** A message of the flow (label, field or form message): translated by id, else its own text. */
  message(text: UiText): string;
}

export interface Translations {
  /** The tags of every available locale, `en` first. */
  readonly locales: readonly string[];
  /** The translator for an `Accept-Language` header (English when nothing matches). */
  forRequest(acceptLanguage: string | undefined): Translator;
}

export const DEFAULT_LOCALE = 'en';

const LOCALE_TAG = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

/** Whether `tag` can name a locale file (`de`, `pt-BR`, `zh-Hant-TW`). */
export function isLocaleTag(tag: string): boolean {
  return LOCALE_TAG.test(tag);
}

/** Checks a parsed locale file; returns what is wrong with it, or the document. */
export function parseLocaleDocument(value: unknown): LocaleDocument | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const { ui = {}, messages = {} } = value as { ui?: unknown; messages?: unknown };
  for (const [name, table] of [
    ['ui', ui],
    ['messages', messages],
  ] as const) {
    if (typeof table !== 'object' || table === null || Array.isArray(table))
      return `"${name}" is not an object`;
    for (const [key, text] of Object.entries(table)) {
      if (typeof text !== 'string') return `"${name}.${key}" is not a string`;
      if (name === 'messages' && !/^[0-9]{7}$/.test(key)) return `"messages.${key}" is not a message id`;
    }
  }
  return { ui: ui as Record<string, string>, messages: messages as Record<string, string> };
}

/** Fills `{name}` placeholders; undefined when one has no value. */
function fill(template: string, vars: Readonly<Record<string, unknown>>): string | undefined {
  let missing = false;
  const text = template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = vars[name];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
    missing = true;
    return placeholder;
  });
  return missing ? undefined : text;
}

/**
 * The locale for an `Accept-Language` header among `available` (RFC 4647 lookup, by weight):
 * an exact tag, else its language alone (`de-AT` -> `de`), else a regional variant of that
 * language (`pt` -> `pt-BR`); `fallback` when none matches.
 */
export function negotiateLocale(
  acceptLanguage: string | undefined,
  available: readonly string[],
  fallback = DEFAULT_LOCALE,
): string {
  if (acceptLanguage === undefined || acceptLanguage === '') return fallback;
  const byLower = new Map(available.map((tag) => [tag.toLowerCase(), tag]));
  const ranges = acceptLanguage
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { range: range.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.range !== '' && r.q > 0 && Number.isFinite(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of ranges) {
    if (range === '*') return fallback;
    const exact = byLower.get(range);
    if (exact !== undefined) return exact;
    const language = range.split('-')[0] ?? '';
    const base = byLower.get(language);
    if (base !== undefined) return base;
    const regional = available.find((tag) => tag.toLowerCase().startsWith(`${language}-`));
    if (regional !== undefined) return regional;
  }
  return fallback;
}

interface CompiledLocale {
  readonly tag: string;
  readonly ui: ReadonlyMap<string, string>;
  readonly messages: ReadonlyMap<number, string>;
}

function compile(tag: string, document: LocaleDocument): CompiledLocale {
  return {
    tag,
    ui: new Map(Object.entries(document.ui)),
    messages: new Map(Object.entries(document.messages).map(([id, text]) => [Number(id), text])),
  };
}

/** The built-in English catalogue. */
export const ENGLISH: LocaleDocument = en;

/**
 * Translations from locale documents by tag. English is always present; a document for `en`
 * overrides its keys (an operator rewording a title), and so does a later source for any tag.
 */
export function createTranslations(
  sources: readonly Readonly<Record<string, LocaleDocument>>[],
): Translations {
  const merged = new Map<string, { ui: Record<string, string>; messages: Record<string, string> }>();
  merged.set(DEFAULT_LOCALE, { ui: { ...ENGLISH.ui }, messages: { ...ENGLISH.messages } });
  for (const source of sources) {
    for (const [tag, document] of Object.entries(source)) {
      const key = [...merged.keys()].find((t) => t.toLowerCase() === tag.toLowerCase()) ?? tag;
      const current = merged.get(key) ?? { ui: {}, messages: {} };
      merged.set(key, {
        ui: { ...current.ui, ...document.ui },
        messages: { ...current.messages, ...document.messages },
      });
    }
  }
  const locales = new Map([...merged].map(([tag, document]) => [tag, compile(tag, document)]));
  const english = locales.get(DEFAULT_LOCALE) as CompiledLocale;
  const translators = new Map([...locales].map(([tag, locale]) => [tag, translator(locale, english)]));
  const tags = [...locales.keys()];
  return {
    locales: tags,
    forRequest(acceptLanguage) {
      const tag = negotiateLocale(acceptLanguage, tags);
      return translators.get(tag) ?? (translators.get(DEFAULT_LOCALE) as Translator);
    },
  };
}

function translator(locale: CompiledLocale, english: CompiledLocale): Translator {
  return {
    locale: locale.tag,
    t(key, vars = {}) {
      const own = locale.ui.get(key);
      const text =
        (own === undefined ? undefined : fill(own, vars)) ?? fill(english.ui.get(key) ?? key, vars);
      return text ?? english.ui.get(key) ?? key;
    },
    message(text) {
      const template = locale.messages.get(text.id) ?? english.messages.get(text.id);
      const translated = template === undefined ? undefined : fill(template, text.context ?? {});
      return translated ?? text.text;
    },
  };
}
