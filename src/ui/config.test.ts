import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { MINIMAL_YAML } from '../config/testing/minimal.js';
import { makeTempDir, type TempDir } from '../config/testing/temp-dir.js';
import { resolveUiConfig, UI_CONFIG_SCHEMA } from './config.js';

describe('resolveUiConfig', () => {
  it('defaults: on, named Portcullis, no logo, no theme', () => {
    expect(resolveUiConfig({})).toEqual({
      enabled: true,
      productName: 'Portcullis',
      logoUrl: undefined,
      translationsDir: undefined,
      theme: { colors: {}, radius: undefined, fontFamily: undefined },
    });
  });

  it('reads every key', () => {
    const ui = resolveUiConfig({
      ui: {
        enabled: false,
        product_name: 'Acme',
        logo_url: '/assets/logo.png',
        translations_dir: './i18n',
        theme: {
          primary: '#123456',
          error: 'rgb(200, 0, 0)',
          radius: '4px',
          font_family: 'Inter, sans-serif',
        },
      },
    });
    expect(ui).toEqual({
      enabled: false,
      productName: 'Acme',
      logoUrl: '/assets/logo.png',
      translationsDir: './i18n',
      theme: {
        colors: { primary: '#123456', error: 'rgb(200, 0, 0)' },
        radius: '4px',
        fontFamily: 'Inter, sans-serif',
      },
    });
  });

  it('drops values that could break out of the stylesheet or the page, even unvalidated', () => {
    const ui = resolveUiConfig({
      ui: {
        logo_url: 'javascript:alert(1)',
        theme: { primary: 'red; } body { display: none', radius: '1px;}', font_family: 'x;}</style>' },
      },
    });
    expect(ui.logoUrl).toBeUndefined();
    expect(ui.theme).toEqual({ colors: {}, radius: undefined, fontFamily: undefined });
  });
});

describe('UI_CONFIG_SCHEMA', () => {
  const validate = new Ajv({ strict: false }).compile(UI_CONFIG_SCHEMA);

  it.each([
    [{}],
    [{ enabled: false }],
    [{ product_name: 'Acme', logo_url: 'https://cdn.example.com/logo.svg' }],
    [{ theme: { primary: '#fff', text: 'black', focus: 'hsl(210, 50%, 40%)', radius: '0' } }],
  ])('accepts %j', (value) => {
    expect(validate(value)).toBe(true);
  });

  it.each([
    [{ unknown: true }],
    [{ product_name: '' }],
    [{ logo_url: 'javascript:alert(1)' }],
    [{ logo_url: '//evil.example/logo.png' }],
    [{ theme: { primary: 'red;}' } }],
    [{ theme: { radius: '1px;}' } }],
    [{ theme: { shadow: '#000' } }],
  ])('refuses %j', (value) => {
    expect(validate(value)).toBe(false);
  });
});

describe('ui keys in a config file and the environment', () => {
  let dir: TempDir;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await dir.cleanup();
  });

  it('are validated at start and overridden by UI_* variables', async () => {
    const file = await dir.write(
      'kratos.yml',
      `${MINIMAL_YAML}ui:\n  product_name: Acme\n  theme:\n    primary: "#aa0000"\n`,
    );
    const config = await loadConfig({
      files: [file],
      env: { UI_PRODUCT_NAME: 'Acme ID', UI_ENABLED: 'false' },
      dev: false,
      cwd: dir.path,
    });
    expect(resolveUiConfig(config.document)).toMatchObject({
      enabled: false,
      productName: 'Acme ID',
      theme: { colors: { primary: '#aa0000' } },
    });

    const bad = await dir.write('bad.yml', `${MINIMAL_YAML}ui:\n  logo_url: "javascript:alert(1)"\n`);
    const error = await loadConfig({ files: [bad], env: {}, dev: false, cwd: dir.path }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('ui.logo_url');
  });
});
