import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../config/testing/temp-dir.js';
import { listMessages, Msg, uiText } from '../../selfservice/flow/messages.js';
import en from './en.json' with { type: 'json' };
import { BUILTIN_LOCALES, loadTranslationsDir, TranslationFileError } from './load.js';
import { createTranslations, negotiateLocale, parseLocaleDocument } from './translator.js';

const GERMAN = {
  ui: { 'login.title': 'Anmelden', 'welcome.signed_in_as': 'Angemeldet als {name}' },
  messages: {
    [String(Msg.ErrorValidationInvalidCredentials)]: 'Die Anmeldedaten sind ungültig.',
    [String(Msg.ErrorValidationRequired)]: 'Das Feld {property} fehlt.',
  },
};

describe('negotiateLocale', () => {
  const available = ['en', 'de', 'pt-BR'];

  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['de', 'de'],
    ['de-AT,de;q=0.9,en;q=0.8', 'de'],
    ['fr-FR, fr;q=0.9, de;q=0.1', 'de'],
    ['pt', 'pt-BR'],
    ['PT-br', 'pt-BR'],
    ['en;q=0.5, de;q=0.9', 'de'],
    ['fr, *;q=0.5', 'en'],
    ['de;q=0', 'en'],
    ['xx, ;;;, q=', 'en'],
  ])('%s -> %s', (header, expected) => {
    expect(negotiateLocale(header, available)).toBe(expected);
  });
});

describe('translations', () => {
  const translations = createTranslations([BUILTIN_LOCALES, { de: GERMAN }]);

  it('lists English first, then the added locales', () => {
    expect(translations.locales).toEqual(['en', 'de']);
  });

  it('translates UI keys with placeholders, falling back to English per key', () => {
    const de = translations.forRequest('de-DE');
    expect(de.locale).toBe('de');
    expect(de.t('login.title')).toBe('Anmelden');
    expect(de.t('welcome.signed_in_as', { name: 'Ada' })).toBe('Angemeldet als Ada');
    expect(de.t('registration.title')).toBe('Create an account');
  });

  it('translates flow messages by id from their context, else shows the flow text', () => {
    const de = translations.forRequest('de');
    expect(de.message(uiText(Msg.ErrorValidationInvalidCredentials))).toBe('Die Anmeldedaten sind ungültig.');
    expect(de.message(uiText(Msg.ErrorValidationRequired, { property: 'email' }))).toBe(
      'Das Feld email fehlt.',
    );
    // A placeholder the context cannot fill: the flow's own (English) text.
    expect(
      de.message({ id: Msg.ErrorValidationRequired, text: 'Property x is missing.', type: 'error' }),
    ).toBe('Property x is missing.');
    expect(de.message(uiText(Msg.InfoSelfServiceLogin))).toBe('Sign in');
    expect(translations.forRequest('en').message({ id: 4000006, text: 'from the flow', type: 'error' })).toBe(
      'from the flow',
    );
  });

  it('lets an operator reword English', () => {
    const custom = createTranslations([{ en: { ui: { 'login.title': 'Log in' }, messages: {} } }]);
    expect(custom.forRequest(undefined).t('login.title')).toBe('Log in');
    expect(custom.forRequest(undefined).t('registration.title')).toBe('Create an account');
  });
});

describe('the English catalogue', () => {
  it('has a text for every key, with only known placeholders', () => {
    for (const [key, text] of Object.entries(en.ui)) {
      expect(text, key).not.toBe('');
      for (const [, name] of text.matchAll(/\{(\w+)\}/g))
        expect(['name', 'address', 'time', 'id', 'recipient', 'identifier']).toContain(name);
    }
  });

  it('leaves flow messages to the server catalogue', () => {
    expect(en.messages).toEqual({});
    expect(listMessages().length).toBeGreaterThan(100);
  });
});

describe('locale files', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir('portcullis-i18n-');
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('are read from ui.translations_dir by their locale name', async () => {
    await dir.write('de.json', JSON.stringify(GERMAN));
    await dir.write('pt-BR.json', JSON.stringify({ ui: { 'login.title': 'Entrar' } }));
    await dir.write('README.txt', 'ignored');
    const loaded = await loadTranslationsDir('.', dir.path);
    expect(Object.keys(loaded)).toEqual(['de', 'pt-BR']);
    expect(createTranslations([loaded]).forRequest('pt').t('login.title')).toBe('Entrar');
  });

  it.each([
    ['notalocale_.json', '{}', /not named after a locale/],
    ['de.json', '{', /not valid JSON/],
    ['de.json', '{"ui": {"login.title": 1}}', /"ui.login.title" is not a string/],
    ['de.json', '{"messages": {"sign-in": "x"}}', /"messages.sign-in" is not a message id/],
    ['de.json', '[]', /is not a JSON object/],
  ])('refuses %s containing %s', async (name, content, reason) => {
    await dir.write(name, content);
    const error = await loadTranslationsDir(dir.path, '/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranslationFileError);
    expect((error as Error).message).toMatch(reason);
  });

  it('parse only the documented shape', () => {
    expect(parseLocaleDocument({})).toEqual({ ui: {}, messages: {} });
    expect(parseLocaleDocument({ ui: [] })).toBe('"ui" is not an object');
  });
});
