/**
 * The UI's one stylesheet, kept in code so the compiled package carries it without a copy
 * step. Colours are CSS variables (`--pc-*`), set from `ui.theme` after the defaults. The
 * defaults meet WCAG AA contrast in light and dark mode; dark mode follows the system unless
 * the theme sets colours of its own.
 */

import type { UiConfig } from '../config.js';

const LIGHT = `
:root {
  --pc-background: #f6f7f9;
  --pc-surface: #ffffff;
  --pc-text: #1f2328;
  --pc-muted: #57606a;
  --pc-border: #6e7781;
  --pc-primary: #1d4ed8;
  --pc-primary-text: #ffffff;
  --pc-error: #b42318;
  --pc-success: #1a7f37;
  --pc-focus: #1d4ed8;
  --pc-radius: 6px;
  --pc-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --pc-mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  color-scheme: light;
}`;

const DARK = `
@media (prefers-color-scheme: dark) {
  :root {
    --pc-background: #0d1117;
    --pc-surface: #161b22;
    --pc-text: #e6edf3;
    --pc-muted: #9da7b3;
    --pc-border: #8b949e;
    --pc-primary: #4493f8;
    --pc-primary-text: #0d1117;
    --pc-error: #ff7b72;
    --pc-success: #3fb950;
    --pc-focus: #79c0ff;
    color-scheme: dark;
  }
}`;

const BASE = `
*, *::before, *::after { box-sizing: border-box; }
html { font-family: var(--pc-font); font-size: 100%; line-height: 1.5; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--pc-background); color: var(--pc-text); min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--pc-primary); text-underline-offset: 0.15em; }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--pc-focus); outline-offset: 2px; }
.pc-skip { position: absolute; left: -10000px; top: 0; padding: 0.5rem 1rem; background: var(--pc-surface); }
.pc-skip:focus { left: 0.5rem; top: 0.5rem; z-index: 10; }
.pc-header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; padding: 0.75rem 1.25rem; background: var(--pc-surface); border-bottom: 1px solid var(--pc-border); }
.pc-brand { display: inline-flex; align-items: center; gap: 0.5rem; font-weight: 600; font-size: 1.125rem; color: var(--pc-text); text-decoration: none; }
.pc-brand img { height: 2rem; width: auto; }
.pc-nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1rem; margin: 0; padding: 0; }
.pc-main { flex: 1; width: 100%; max-width: 32rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.pc-main--wide { max-width: 60rem; }
.pc-card { background: var(--pc-surface); border: 1px solid var(--pc-border); border-radius: var(--pc-radius); padding: 1.5rem; margin-bottom: 1.25rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 0 0 0.75rem; }
p { margin: 0 0 0.75rem; }
.pc-muted { color: var(--pc-muted); }
.pc-form { display: flex; flex-direction: column; gap: 1rem; margin: 0; }
.pc-form + .pc-form, .pc-section + .pc-section { margin-top: 1.5rem; padding-top: 1.5rem; border-top: 1px solid var(--pc-border); }
.pc-field { display: flex; flex-direction: column; gap: 0.25rem; }
.pc-field--checkbox { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
.pc-field--checkbox .pc-field-messages { flex-basis: 100%; }
label, .pc-label { font-weight: 600; }
input, select, button, textarea { font: inherit; color: inherit; }
input:not([type="checkbox"]):not([type="radio"]), select { width: 100%; min-height: 2.75rem; padding: 0.5rem 0.75rem; background: var(--pc-surface); border: 1px solid var(--pc-border); border-radius: var(--pc-radius); }
input[type="checkbox"] { width: 1.25rem; height: 1.25rem; accent-color: var(--pc-primary); }
input[aria-invalid="true"], select[aria-invalid="true"] { border-color: var(--pc-error); border-width: 2px; }
.pc-button { display: inline-flex; align-items: center; justify-content: center; min-height: 2.75rem; padding: 0.5rem 1.25rem; border: 2px solid var(--pc-primary); border-radius: var(--pc-radius); background: var(--pc-primary); color: var(--pc-primary-text); font-weight: 600; cursor: pointer; text-decoration: none; }
.pc-button:hover { filter: brightness(1.1); }
.pc-button--secondary { background: transparent; color: var(--pc-primary); }
.pc-actions { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.pc-messages { display: flex; flex-direction: column; gap: 0.5rem; margin-bottom: 1rem; }
.pc-message { margin: 0; padding: 0.5rem 0.75rem; border-left: 4px solid var(--pc-muted); background: var(--pc-background); }
.pc-message--error { border-left-color: var(--pc-error); color: var(--pc-error); }
.pc-message--success { border-left-color: var(--pc-success); color: var(--pc-success); }
.pc-field-messages { margin: 0; padding: 0; list-style: none; }
.pc-field-message { font-size: 0.9375rem; }
.pc-field-message--error { color: var(--pc-error); }
.pc-field-message--success { color: var(--pc-success); }
.pc-field-message--info { color: var(--pc-muted); }
.pc-text { display: flex; flex-direction: column; gap: 0.25rem; }
.pc-secrets { display: grid; grid-template-columns: repeat(auto-fill, minmax(7rem, 1fr)); gap: 0.5rem; margin: 0; padding: 0; list-style: none; }
code, pre, .pc-code { font-family: var(--pc-mono); }
.pc-code { font-size: 1.375rem; font-weight: 700; letter-spacing: 0.15em; }
.pc-links { margin: 1.25rem 0 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 0.5rem; }
.pc-list { margin: 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 0.75rem; }
.pc-list > li { border: 1px solid var(--pc-border); border-radius: var(--pc-radius); padding: 0.75rem 1rem; }
.pc-traits { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: 0.25rem 1rem; margin: 0; }
.pc-traits dt { font-weight: 600; }
.pc-traits dd { margin: 0; overflow-wrap: anywhere; }
.pc-table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--pc-border); }
td { overflow-wrap: anywhere; }
.pc-inbox-code { white-space: nowrap; }
.pc-body { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; padding: 1rem; background: var(--pc-background); border-radius: var(--pc-radius); }
.pc-inline-form { display: inline; }
@media (max-width: 40rem) {
  .pc-card { padding: 1rem; }
  .pc-traits { grid-template-columns: 1fr; }
  .pc-traits dd { margin-bottom: 0.5rem; }
  .pc-inbox thead { position: absolute; left: -10000px; }
  .pc-inbox tr { display: block; border-bottom: 1px solid var(--pc-border); padding: 0.5rem 0; }
  .pc-inbox td { display: block; border: 0; padding: 0.125rem 0; }
}
@media (prefers-reduced-motion: reduce) { * { transition: none !important; animation: none !important; } }
`;

const VARIABLE_OF: Record<string, string> = {
  primary: '--pc-primary',
  primary_text: '--pc-primary-text',
  background: '--pc-background',
  surface: '--pc-surface',
  text: '--pc-text',
  muted: '--pc-muted',
  border: '--pc-border',
  error: '--pc-error',
  success: '--pc-success',
  focus: '--pc-focus',
};

/** The stylesheet for a theme. Theme values were checked against safe patterns by the config. */
export function stylesheet(theme: UiConfig['theme']): string {
  const overrides: string[] = [];
  for (const [name, value] of Object.entries(theme.colors)) {
    const variable = VARIABLE_OF[name];
    if (variable !== undefined && value !== undefined) overrides.push(`  ${variable}: ${value};`);
  }
  if (theme.radius !== undefined) overrides.push(`  --pc-radius: ${theme.radius};`);
  if (theme.fontFamily !== undefined) overrides.push(`  --pc-font: ${theme.fontFamily};`);
  const customColors = Object.keys(theme.colors).length > 0;
  return [
    '/* Portcullis built-in UI */',
    LIGHT,
    customColors ? '' : DARK,
    overrides.length > 0 ? `\n:root {\n${overrides.join('\n')}\n}` : '',
    BASE,
  ].join('');
}
