/**
 * What the dev inbox shows of a plain-text email: its one-time codes (a line that is only
 * digits, as the built-in templates print `{{VerificationCode}}`), its http(s) links, and the
 * text itself with links clickable and codes marked.
 */

import { attributes, html, type SafeHtml, safeUrl } from '../html/escape.js';

const CODE_LINE = /^\s*([0-9]{4,12})\s*$/;
const URL_PATTERN = /https?:\/\/[^\s<>"'`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** The codes in a body, in order, each once. */
export function extractCodes(body: string): string[] {
  const codes: string[] = [];
  for (const line of body.split(/\r?\n/)) {
    const code = CODE_LINE.exec(line)?.[1];
    if (code !== undefined && !codes.includes(code)) codes.push(code);
  }
  return codes;
}

/** A URL found in text, without the punctuation that ends the sentence around it. */
function trimUrl(raw: string): string {
  return raw.replace(TRAILING_PUNCTUATION, '');
}

/** The http(s) links in a body, in order, each once. */
export function extractLinks(body: string): string[] {
  const links: string[] = [];
  for (const match of body.matchAll(URL_PATTERN)) {
    const url = safeUrl(trimUrl(match[0]));
    if (url !== undefined && !links.includes(url)) links.push(url);
  }
  return links;
}

function linkify(line: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of line.matchAll(URL_PATTERN)) {
    const raw = trimUrl(match[0]);
    const start = match.index ?? 0;
    const url = safeUrl(raw);
    parts.push(html`${line.slice(last, start)}`);
    parts.push(
      url === undefined
        ? html`${raw}`
        : html`<a${attributes({ class: 'pc-inbox-link', href: url })}>${raw}</a>`,
    );
    last = start + raw.length;
  }
  parts.push(html`${line.slice(last)}`);
  return html`${parts}`;
}

/** The body as HTML for a `<pre>`: every character escaped, links as `<a>`, code lines marked. */
export function renderBody(body: string): SafeHtml {
  const lines = body.split(/\r?\n/).map((line) => {
    const code = CODE_LINE.exec(line)?.[1];
    return code === undefined
      ? linkify(line)
      : html`<strong class="pc-code" data-code="${code}">${line}</strong>`;
  });
  return html`${lines.map((line, i) => (i === 0 ? line : html`\n${line}`))}`;
}
