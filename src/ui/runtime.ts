import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mergeVary } from '../proxy/cors.js';
import { publicUrl } from '../selfservice/flow/request-url.js';
import type { UiDeps } from './deps.js';
import { contentSecurityPolicy, type ReferrerPolicy, setPageHeaders } from './headers.js';
import type { Translations, Translator } from './i18n/translator.js';
import { type Chrome, type PageContent, renderPage } from './render/layout.js';
import { stylesheet } from './static/stylesheet.js';

/** A page to send: its content, status and what its headers must allow. */
export interface PageResponse extends PageContent {
  readonly status?: number;
  /** `no-referrer` for pages that show codes or links carrying secrets; `same-origin` otherwise. */
  readonly referrer?: ReferrerPolicy;
  /** Origins this page's forms post to, or redirect to afterwards, beyond the configured ones. */
  readonly formTargets?: readonly string[];
}

/** What every page handler shares: the deps, the text, the paths, and how to send a page. */
export interface UiRuntime {
  readonly deps: UiDeps;
  readonly css: { readonly text: string; readonly etag: string };
  translator(request: FastifyRequest): Translator;
  /** A root-relative path of a page under `/ui` (with the public base URL's path prefix). */
  path(page: string, query?: Readonly<Record<string, string | undefined>>): string;
  /** An absolute URL on the public listener (`self-service/login/browser`). */
  publicUrl(path: string, query?: Readonly<Record<string, string | undefined>>): string;
  send(request: FastifyRequest, reply: FastifyReply, page: PageResponse): FastifyReply;
}

function withQuery(url: URL, query: Readonly<Record<string, string | undefined>>): void {
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
}

export function createRuntime(deps: UiDeps, translations: Translations): UiRuntime {
  const css = stylesheet(deps.config.theme);
  const etag = createHash('sha256').update(css).digest('base64url').slice(0, 16);
  const basePath = deps.publicBase.pathname.endsWith('/')
    ? deps.publicBase.pathname
    : `${deps.publicBase.pathname}/`;
  const path = (page: string, query: Readonly<Record<string, string | undefined>> = {}) => {
    const url = new URL(`${basePath}ui/${page}`, 'http://ui.invalid');
    withQuery(url, query);
    return `${url.pathname}${url.search}`;
  };
  const logo = deps.config.logoUrl;
  const chrome: Chrome = {
    productName: deps.config.productName,
    logoUrl: logo,
    stylesheetHref: path('static/portcullis.css', { v: etag }),
    homeHref: path('welcome'),
  };
  const translatorCache = new Map<string, Translator>();
  const translator = (request: FastifyRequest): Translator => {
    const header = request.headers['accept-language'];
    const key = typeof header === 'string' ? header.slice(0, 200) : '';
    let t = translatorCache.get(key);
    if (t === undefined) {
      t = translations.forRequest(key);
      // Bounded: headers are chosen by the client; a header not kept costs one negotiation.
      if (translatorCache.size < 500) translatorCache.set(key, t);
    }
    return t;
  };
  return {
    deps,
    css: { text: css, etag },
    translator,
    path,
    publicUrl(target, query = {}) {
      const url = new URL(publicUrl(deps.publicBase, target));
      withQuery(url, query);
      return url.toString();
    },
    send(request, reply, page) {
      const t = translator(request);
      setPageHeaders(reply, {
        csp: contentSecurityPolicy(deps.csp, page.formTargets ?? []),
        referrer: page.referrer ?? 'same-origin',
      });
      return (
        reply
          .code(page.status ?? 200)
          .header('content-type', 'text/html; charset=utf-8')
          .header('content-language', t.locale)
          // Added to what is there: a CORS grant has already said `Vary: Origin`.
          .header(
            'vary',
            mergeVary(reply.getHeader('vary') as string | string[] | undefined, 'Accept-Language, Cookie'),
          )
          .send(renderPage(chrome, t, page))
      );
    },
  };
}
