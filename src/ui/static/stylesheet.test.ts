import { describe, expect, it } from 'vitest';
import { resolveUiConfig } from '../config.js';
import { stylesheet } from './stylesheet.js';

describe('stylesheet', () => {
  it('has a light and a dark palette by default, and a visible focus ring', () => {
    const css = stylesheet(resolveUiConfig({}).theme);
    expect(css).toContain('--pc-primary: #1d4ed8;');
    expect(css).toContain('@media (prefers-color-scheme: dark)');
    expect(css).toContain(':focus-visible { outline: 3px solid var(--pc-focus)');
    expect(css).not.toMatch(/@import|url\(/);
  });

  it('applies the theme after the defaults and leaves dark mode to a theme with colours', () => {
    const css = stylesheet(
      resolveUiConfig({
        ui: { theme: { primary: '#aa0000', radius: '2px', font_family: 'Inter, sans-serif' } },
      }).theme,
    );
    expect(css).not.toContain('prefers-color-scheme: dark');
    const overrides = css.indexOf(':root {\n  --pc-primary: #aa0000;');
    expect(overrides).toBeGreaterThan(css.indexOf('--pc-primary: #1d4ed8;'));
    expect(css).toContain('--pc-radius: 2px;');
    expect(css).toContain('--pc-font: Inter, sans-serif;');
  });
});
