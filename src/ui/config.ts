/**
 * `ui.*`: the built-in UI's own keys, a Portcullis extension (Kratos ships no UI). The JSON
 * Schema joins the config schema through `portcullisExtension` (config/schema.ts), so a wrong
 * key or value stops the start like any other; {@link resolveUiConfig} applies the defaults.
 */

import { type JsonObject, nonEmptyString, objectOrEmpty } from '../config/index.js';

/** Theme colours a stylesheet variable can take: hex, a CSS colour name, or rgb()/hsl(). */
const COLOR_PATTERN = '^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(rgb|rgba|hsl|hsla)\\([0-9.,%\\s/]+\\))$';
const LENGTH_PATTERN = '^(0|[0-9]{1,3}(\\.[0-9]{1,3})?(px|rem|em))$';
const FONT_PATTERN = '^[A-Za-z0-9 ,\'"-]{1,200}$';

/** The colours of the theme, under their config names. */
export const THEME_COLORS = [
  'primary',
  'primary_text',
  'background',
  'surface',
  'text',
  'muted',
  'border',
  'error',
  'success',
  'focus',
] as const;

export type ThemeColor = (typeof THEME_COLORS)[number];

const colorSchema = (description: string): JsonObject => ({
  type: 'string',
  pattern: COLOR_PATTERN,
  description,
});

/** JSON Schema of `ui`. */
export const UI_CONFIG_SCHEMA: JsonObject = {
  title: 'Built-in UI (Portcullis)',
  description:
    "The self-service pages under /ui on the public listener. Teams with their own UI set the flows' ui_url and may turn this off.",
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: {
      type: 'boolean',
      default: true,
      description: "Serve the pages under /ui. The flows' ui_url must point elsewhere when this is false.",
    },
    product_name: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      default: 'Portcullis',
      description: 'Shown in the header and the page titles.',
    },
    logo_url: {
      type: 'string',
      pattern: '^(https?://[^\\s]+|/[^/\\\\\\s][^\\s]*)$',
      description: 'An http(s) URL, or a path on the public listener, of the logo shown beside the name.',
      examples: ['https://cdn.example.com/logo.svg', '/assets/logo.png'],
    },
    translations_dir: {
      type: 'string',
      minLength: 1,
      description:
        'A directory of <locale>.json files (de.json, pt-BR.json) read at start, added to or overriding the built-in translations.',
    },
    theme: {
      type: 'object',
      additionalProperties: false,
      description:
        'Overrides of the stylesheet variables. Setting any colour turns the automatic dark mode off.',
      properties: {
        primary: colorSchema('Buttons and links.'),
        primary_text: colorSchema('Text on primary buttons.'),
        background: colorSchema('Page background.'),
        surface: colorSchema('Card background.'),
        text: colorSchema('Body text.'),
        muted: colorSchema('Secondary text.'),
        border: colorSchema('Field and card borders.'),
        error: colorSchema('Error messages.'),
        success: colorSchema('Success messages.'),
        focus: colorSchema('The focus ring.'),
        radius: { type: 'string', pattern: LENGTH_PATTERN, description: 'Corner radius, e.g. 6px.' },
        font_family: {
          type: 'string',
          pattern: FONT_PATTERN,
          description: 'A font stack of installed fonts; the UI loads no web fonts.',
        },
      },
    },
  },
};

/** `ui.*` with defaults applied. */
export interface UiConfig {
  readonly enabled: boolean;
  readonly productName: string;
  /** As configured: an absolute http(s) URL or a path. */
  readonly logoUrl: string | undefined;
  readonly translationsDir: string | undefined;
  readonly theme: {
    readonly colors: Readonly<Partial<Record<ThemeColor, string>>>;
    readonly radius: string | undefined;
    readonly fontFamily: string | undefined;
  };
}

/**
 * Reads `ui` from the validated config document. Values the schema allows are taken as they
 * are; anything else (only possible without validation) falls back to the default.
 */
export function resolveUiConfig(document: unknown): UiConfig {
  const ui = objectOrEmpty(objectOrEmpty(document).ui);
  const theme = objectOrEmpty(ui.theme);
  const colors: Partial<Record<ThemeColor, string>> = {};
  for (const name of THEME_COLORS) {
    const value = nonEmptyString(theme[name]);
    if (value !== undefined && new RegExp(COLOR_PATTERN).test(value)) colors[name] = value;
  }
  const radius = nonEmptyString(theme.radius);
  const fontFamily = nonEmptyString(theme.font_family);
  const logoUrl = nonEmptyString(ui.logo_url);
  return {
    enabled: ui.enabled !== false,
    productName: nonEmptyString(ui.product_name)?.slice(0, 100) ?? 'Portcullis',
    logoUrl: logoUrl !== undefined && /^(https?:\/\/\S+|\/[^/\\\s]\S*)$/.test(logoUrl) ? logoUrl : undefined,
    translationsDir: nonEmptyString(ui.translations_dir),
    theme: {
      colors,
      radius: radius !== undefined && new RegExp(LENGTH_PATTERN).test(radius) ? radius : undefined,
      fontFamily:
        fontFamily !== undefined && new RegExp(FONT_PATTERN).test(fontFamily) ? fontFamily : undefined,
    },
  };
}
