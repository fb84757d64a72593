/**
 * html/template's contextual auto-escaping, for template sets compiled in HTML mode (courier
 * HTML bodies). As Go's escaper, it walks the parse tree once before the first execution,
 * tracks where each action sits in the HTML the text around it builds (text, an attribute of a
 * given kind, a URL, a comment, script, style, RCDATA), and gives the action the escaper of
 * that context. `{{template}}` calls get a copy of the called template escaped for the
 * calling context; `{{if}}` branches must end in the same context and a `{{range}}` body must
 * end where it started (Go's "branches end in different contexts").
 *
 * Differences from Go, kept small on purpose (emails rarely script): inside `<script>` and
 * `on*` attributes every value is written as a JS value (a quoted, escaped string), also inside
 * a JS string literal, where Go writes the string's escaped characters without quotes; inside
 * `<style>` and `style` attributes a value that is not a plain CSS token is `ZgotmplZ`
 * (Go's cssValueFilter is finer). Typed safe values (template.HTML) do not exist here.
 */
import type { ActionNode, Node } from './ast.js';
import { TemplateError } from './errors.js';
import { formatValue } from './format.js';
import { MISSING } from './values.js';

type AttrKind = 'normal' | 'url' | 'js' | 'css';
type UrlPart = 'start' | 'path' | 'query';

interface Context {
  state: 'text' | 'tag' | 'afterName' | 'beforeValue' | 'attr' | 'comment' | 'rcdata' | 'script' | 'style';
  /** The element whose tag is open, or whose raw text (script, style, title, textarea) we are in. */
  element: string;
  endTag: boolean;
  attr: AttrKind;
  /** The attribute value's quote; '' for an unquoted value. */
  delim: string;
  url: UrlPart;
}

const TEXT: Context = { state: 'text', element: '', endTag: false, attr: 'normal', delim: '', url: 'start' };
const key = (c: Context) => `${c.state}|${c.element}|${c.endTag}|${c.attr}|${c.delim}|${c.url}`;

const URL_ATTRS = new Set([
  'action',
  'archive',
  'background',
  'cite',
  'classid',
  'codebase',
  'data',
  'formaction',
  'href',
  'icon',
  'longdesc',
  'manifest',
  'poster',
  'profile',
  'src',
  'usemap',
  'xmlns',
]);

/** Go's attrType: what an attribute's value holds. */
function attrKind(raw: string): AttrKind {
  let name = raw.toLowerCase();
  if (name.startsWith('data-')) name = name.slice(5);
  const colon = name.indexOf(':');
  if (colon >= 0) {
    if (name.slice(0, colon) === 'xmlns') return 'url';
    name = name.slice(colon + 1);
  }
  if (URL_ATTRS.has(name)) return 'url';
  if (name === 'style') return 'css';
  if (name.startsWith('on')) return 'js';
  if (name.includes('src') || name.includes('uri') || name.includes('url')) return 'url';
  return 'normal';
}

const RAW_TEXT: Record<string, Context['state']> = {
  script: 'script',
  style: 'style',
  title: 'rcdata',
  textarea: 'rcdata',
};

/** Moves `c` over template text; returns the text to output (comments are removed, as Go does). */
function advance(c: Context, text: string): { ctx: Context; out: string } {
  let ctx = { ...c };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    switch (ctx.state) {
      case 'text': {
        if (text.startsWith('<!--', i)) {
          ctx = { ...ctx, state: 'comment' };
          i += 4;
          continue;
        }
        const tag = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(text.slice(i, i + 64));
        if (tag !== null) {
          ctx = { ...TEXT, state: 'tag', element: (tag[2] ?? '').toLowerCase(), endTag: tag[1] === '/' };
          out += tag[0];
          i += tag[0].length;
          continue;
        }
        out += ch;
        i++;
        continue;
      }
      case 'comment': {
        const end = text.indexOf('-->', i);
        if (end < 0) return { ctx, out };
        ctx = { ...TEXT };
        i = end + 3;
        continue;
      }
      case 'rcdata':
      case 'script':
      case 'style': {
        const close = text.slice(i).search(new RegExp(`</${ctx.element}(?=[\\s/>])`, 'i'));
        if (close < 0) return { ctx, out: out + text.slice(i) };
        out += text.slice(i, i + close + 2 + ctx.element.length);
        i += close + 2 + ctx.element.length;
        ctx = { ...TEXT, state: 'tag', element: ctx.element, endTag: true };
        continue;
      }
      case 'tag':
      case 'afterName': {
        out += ch;
        i++;
        if (/\s/.test(ch) || ch === '/') continue;
        if (ch === '>') {
          ctx = closeTag(ctx);
          continue;
        }
        if (ch === '=' && ctx.state === 'afterName') {
          ctx = { ...ctx, state: 'beforeValue' };
          continue;
        }
        const name = /^[^\s=>/]*/.exec(text.slice(i))?.[0] ?? '';
        out += name;
        i += name.length;
        ctx = { ...ctx, state: 'afterName', attr: attrKind(ch + name) };
        continue;
      }
      case 'beforeValue': {
        if (/\s/.test(ch)) {
          out += ch;
          i++;
          continue;
        }
        if (ch === '>') {
          out += ch;
          i++;
          ctx = closeTag(ctx);
          continue;
        }
        const quoted = ch === '"' || ch === "'";
        ctx = { ...ctx, state: 'attr', delim: quoted ? ch : '', url: 'start' };
        if (quoted) {
          out += ch;
          i++;
        }
        continue;
      }
      case 'attr': {
        const ends = ctx.delim === '' ? /\s/.test(ch) || ch === '>' : ch === ctx.delim;
        if (ends) {
          if (ch === '>') {
            out += ch;
            i++;
            ctx = closeTag(ctx);
            continue;
          }
          out += ch;
          i++;
          ctx = { ...ctx, state: 'tag', attr: 'normal', delim: '', url: 'start' };
          continue;
        }
        if (ctx.attr === 'url')
          ctx = { ...ctx, url: ch === '?' || ch === '#' || ctx.url === 'query' ? 'query' : 'path' };
        out += ch;
        i++;
        continue;
      }
    }
  }
  return { ctx, out };
}

function closeTag(c: Context): Context {
  if (!c.endTag) {
    const raw = RAW_TEXT[c.element];
    if (raw !== undefined) return { ...TEXT, state: raw, element: c.element };
  }
  return { ...TEXT };
}

const stringify = (value: unknown): string =>
  value === MISSING || value === null || value === undefined
    ? ''
    : typeof value === 'string'
      ? value
      : formatValue(value);

const HTML: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const HTML_NOSPACE: Record<string, string> = {
  ...HTML,
  '\0': '&#xfffd;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\v': '&#11;',
  '\f': '&#12;',
  '\r': '&#13;',
  ' ': '&#32;',
  '=': '&#61;',
  '`': '&#96;',
};

/** Go's htmlEscaper (text, quoted attributes, RCDATA). */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"&'+<>]/g, (c) => HTML[c] ?? c);
}

function htmlNospaceEscape(s: string): string {
  if (s === '') return 'ZgotmplZ';
  return s.replace(/[\0\t\n\v\f\r "&'+<=>`]/g, (c) => HTML_NOSPACE[c] ?? c);
}

/** Go's urlProcessor: `norm` keeps reserved characters and `%` (a URL), else only unreserved (a query part). */
function urlProcess(s: string, norm: boolean): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (norm && /[!#$&*+,/:;=?@[\]%]/.test(c))) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's urlFilter: only http, https, mailto or no scheme at the start of a URL attribute. */
function urlFilter(s: string): string {
  const colon = s.indexOf(':');
  if (colon >= 0 && !s.slice(0, colon).includes('/')) {
    if (!/^(https?|mailto)$/i.test(s.slice(0, colon))) return '#ZgotmplZ';
  }
  return s;
}

const JS_STR: Record<string, string> = {
  '\0': '\\u0000',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\u000b',
  '\f': '\\f',
  '\r': '\\r',
  '"': '\\u0022',
  '`': '\\u0060',
  '&': '\\u0026',
  "'": '\\u0027',
  '+': '\\u002b',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '\\': '\\\\',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** Go's jsValEscaper, approximately: a JS value, strings quoted with dangerous characters escaped. */
function jsValue(value: unknown): string {
  if (value === MISSING || value === null || value === undefined) return ' null ';
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint')
    return ` ${String(value)} `;
  const s = stringify(value);
  return `"${s.replace(/[\0\t\n\v\f\r"`&'+/<>\\\u2028\u2029]/g, (c) => JS_STR[c] ?? c)}"`;
}

/** Go's cssValueFilter, conservatively: plain tokens only. */
function cssValue(s: string): string {
  return /^[A-Za-z0-9#%.,\- ]*$/.test(s) ? s : 'ZgotmplZ';
}

/** The escaper for an action in context `c`, and the context after it. */
function escaperFor(c: Context): { escape: (value: unknown) => string; after: Context } {
  switch (c.state) {
    case 'text':
    case 'rcdata':
      return { escape: (v) => htmlEscape(stringify(v)), after: c };
    case 'comment':
      return { escape: () => '', after: c };
    case 'script':
      return { escape: jsValue, after: c };
    case 'style':
      return { escape: (v) => cssValue(stringify(v)), after: c };
    case 'tag':
    case 'afterName':
      // An attribute name: Go's htmlNameFilter.
      return {
        escape: (v) => {
          const s = stringify(v).toLowerCase();
          return /^[a-z0-9-]+$/.test(s) && attrKind(s) === 'normal' ? s : 'ZgotmplZ';
        },
        after: { ...c, state: 'afterName', attr: 'normal' },
      };
    case 'beforeValue':
      return escaperFor({ ...c, state: 'attr', delim: '', url: 'start' });
    case 'attr': {
      const outer = c.delim === '' ? htmlNospaceEscape : htmlEscape;
      let inner: (v: unknown) => string;
      if (c.attr === 'url') {
        inner =
          c.url === 'start'
            ? (v) => urlProcess(urlFilter(stringify(v)), true)
            : c.url === 'path'
              ? (v) => urlProcess(stringify(v), true)
              : (v) => urlProcess(stringify(v), false);
      } else if (c.attr === 'js') inner = jsValue;
      else if (c.attr === 'css') inner = (v) => cssValue(stringify(v));
      else inner = stringify;
      return {
        escape: (v) => outer(inner(v)),
        after: c.attr === 'url' && c.url === 'start' ? { ...c, url: 'path' } : c,
      };
    }
  }
}

function fail(message: string, pos: number): never {
  throw new TemplateError('parse', message, pos);
}

/**
 * Escapes a template set for HTML: returns the entry template's nodes and the named templates
 * (context-specific copies, named `name` for the text context and `name$<context>` otherwise).
 * Throws TemplateError('parse') where Go's escaper refuses the template.
 */
export function escapeHtmlSet(
  entry: Node[],
  templates: ReadonlyMap<string, Node[]>,
): { entry: Node[]; templates: Map<string, Node[]> } {
  const out = new Map<string, Node[]>();
  const ends = new Map<string, Context>();

  function callTemplate(name: string, c: Context, pos: number): { name: string; after: Context } {
    const body = templates.get(name);
    if (body === undefined) fail(`no such template "${name}"`, pos);
    const copy = c.state === 'text' && key(c) === key(TEXT) ? name : `${name}$${key(c)}`;
    const known = ends.get(copy);
    if (known !== undefined) return { name: copy, after: known };
    // Assume the template ends where it starts while escaping it (recursive calls), then check.
    ends.set(copy, c);
    const result = list(body, c);
    ends.set(copy, result.ctx);
    out.set(copy, result.nodes);
    return { name: copy, after: result.ctx };
  }

  function list(nodes: Node[], start: Context): { nodes: Node[]; ctx: Context } {
    let c = start;
    const result: Node[] = [];
    for (const node of nodes) {
      switch (node.type) {
        case 'text': {
          const moved = advance(c, node.text);
          c = moved.ctx;
          if (moved.out !== '') result.push({ type: 'text', text: moved.out });
          break;
        }
        case 'action': {
          if (node.pipe.vars.length > 0) {
            result.push(node);
            break;
          }
          const escaper = escaperFor(c);
          const after = escaper.after;
          const escaped: ActionNode = { ...node, escape: escaper.escape };
          result.push(escaped);
          c = after;
          break;
        }
        case 'if':
        case 'with': {
          const branch = list(node.then, c);
          const rest = node.otherwise === undefined ? undefined : list(node.otherwise, c);
          const end = rest?.ctx ?? c;
          if (key(branch.ctx) !== key(end))
            fail(`{{${node.type}}} branches end in different contexts`, node.pos);
          const then = branch.nodes;
          result.push({ ...node, then, otherwise: rest?.nodes });
          c = end;
          break;
        }
        case 'range': {
          const body = list(node.body, c);
          if (key(body.ctx) !== key(c))
            fail('{{range}} body ends in a different context than it starts', node.pos);
          const otherwise = node.otherwise === undefined ? undefined : list(node.otherwise, c);
          if (otherwise !== undefined && key(otherwise.ctx) !== key(c))
            fail('{{range}} branches end in different contexts', node.pos);
          result.push({ ...node, body: body.nodes, otherwise: otherwise?.nodes });
          break;
        }
        case 'template': {
          const called = callTemplate(node.name, c, node.pos);
          result.push({ ...node, name: called.name });
          c = called.after;
          break;
        }
      }
    }
    return { nodes: result, ctx: c };
  }

  const escaped = list(entry, TEXT);
  if (escaped.ctx.state !== 'text') fail(`template ends in a non-text context (${escaped.ctx.state})`, 0);
  return { entry: escaped.nodes, templates: out };
}
