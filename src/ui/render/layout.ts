import { attributes, html, type SafeHtml } from '../html/escape.js';
import type { Translator } from '../i18n/translator.js';

/** What every page shows around its content: the product, its logo, the stylesheet. */
export interface Chrome {
  readonly productName: string;
  /** An http(s) URL or a path; undefined for none. */
  readonly logoUrl: string | undefined;
  readonly stylesheetHref: string;
  /** Where the product name links to (the welcome page). */
  readonly homeHref: string;
}

export interface PageContent {
  /** The `<h1>`, and the first part of `<title>`. */
  readonly title: string;
  readonly body: SafeHtml;
  /** A wider main column (the inbox's table). */
  readonly wide?: boolean;
  /** Links in the header's navigation. */
  readonly nav?: readonly { href: string; text: string }[];
}

/**
 * A whole page: `lang` from the locale, a skip link to `<main>`, the product header, one
 * card with the `<h1>` and the content. No scripts, no inline styles (the CSP allows neither).
 */
export function renderPage(chrome: Chrome, t: Translator, page: PageContent): string {
  const nav =
    page.nav !== undefined && page.nav.length > 0
      ? html`<nav class="pc-nav" aria-label="${t.t('layout.account_nav')}"><ul>${page.nav.map(
          (link) => html`<li><a href="${link.href}">${link.text}</a></li>`,
        )}</ul></nav>`
      : '';
  const logo =
    chrome.logoUrl === undefined
      ? ''
      : html`<img${attributes({ src: chrome.logoUrl, alt: '', height: 32 })}>`;
  const document = html`<!DOCTYPE html>
<html lang="${t.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${page.title} · ${chrome.productName}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${chrome.stylesheetHref}">
</head>
<body>
<a class="pc-skip" href="#main">${t.t('layout.skip')}</a>
<header class="pc-header"><a class="pc-brand" href="${chrome.homeHref}">${logo}<span>${chrome.productName}</span></a>${nav}</header>
<main id="main" class="${page.wide ? 'pc-main pc-main--wide' : 'pc-main'}" tabindex="-1">
<div class="pc-card">
<h1>${page.title}</h1>
${page.body}
</div>
</main>
</body>
</html>
`;
  return document.toString();
}
