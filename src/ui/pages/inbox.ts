/**
 * The dev inbox (only with `--dev`): the courier's messages newest first, each with its codes
 * and links, and a page per message with its plain-text body. Bodies carry one-time codes and
 * links, so these pages send no Referer.
 */

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CourierMessage, MessageStatus } from '../../courier/index.js';
import { attributes, html, type SafeHtml } from '../html/escape.js';
import type { Translator, UiKey } from '../i18n/translator.js';
import { extractCodes, extractLinks, renderBody } from '../inbox/body.js';
import type { UiRuntime } from '../runtime.js';
import { sendErrorPage } from './error.js';

const PAGE_SIZE = 50;

const STATUS_KEY: Record<MessageStatus, UiKey> = {
  queued: 'inbox.status.queued',
  processing: 'inbox.status.processing',
  sent: 'inbox.status.sent',
  abandoned: 'inbox.status.abandoned',
};

/** A sent message says where it went: the inbox (no SMTP with --dev) or an SMTP server. */
function statusKey(message: CourierMessage): UiKey {
  return message.status === 'sent' && message.channel === 'smtp'
    ? 'inbox.status.sent_smtp'
    : STATUS_KEY[message.status];
}

function when(date: Date): SafeHtml {
  return html`<time datetime="${date.toISOString()}">${date.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>`;
}

function codesOf(message: CourierMessage): SafeHtml {
  return html`${extractCodes(message.body).map(
    (code) => html`<code class="pc-code pc-inbox-code" data-code="${code}">${code}</code> `,
  )}`;
}

function linksOf(message: CourierMessage): SafeHtml {
  const links = extractLinks(message.body);
  if (links.length === 0) return html``;
  return html`<ul class="pc-field-messages">${links.map(
    (link) => html`<li><a${attributes({ class: 'pc-inbox-link', href: link })}>${link}</a></li>`,
  )}</ul>`;
}

/** Characters of an SMS body that stand for it in the list, which an SMS's empty subject cannot. */
const SMS_PREVIEW_CHARS = 60;

/** The text that opens a message from the list: its subject, or for an SMS the start of its body. */
export function inboxLabel(message: Pick<CourierMessage, 'type' | 'subject' | 'body'>): string {
  if (message.type !== 'sms' || message.subject !== '') return message.subject;
  const body = message.body.replace(/\s+/g, ' ').trim();
  return body.length > SMS_PREVIEW_CHARS ? `${body.slice(0, SMS_PREVIEW_CHARS - 1)}…` : body;
}

function row(runtime: UiRuntime, t: Translator, message: CourierMessage): SafeHtml {
  return html`<tr${attributes({
    'data-message-id': message.id,
    'data-recipient': message.recipient,
    'data-template': message.template_type,
  })}><td>${message.recipient}</td><td><a class="pc-inbox-open" href="${runtime.path(
    `inbox/${encodeURIComponent(message.id)}`,
  )}">${inboxLabel(message)}</a></td><td>${when(message.created_at)}</td><td>${t.t(statusKey(message))}</td><td>${codesOf(
    message,
  )}</td><td>${linksOf(message)}</td></tr>`;
}

/** Serves `GET /ui/inbox`. */
export async function showInbox(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const inbox = runtime.deps.inbox;
  if (inbox === undefined) {
    reply.callNotFound();
    return reply;
  }
  const t = runtime.translator(request);
  const { page_token: pageToken } = request.query as { page_token?: unknown };
  const page = await inbox.listMessages({
    pageSize: PAGE_SIZE,
    ...(typeof pageToken === 'string' && pageToken !== '' ? { pageToken } : {}),
  });
  const table =
    page.messages.length === 0
      ? html`<p id="inbox-empty">${t.t('inbox.empty')}</p>`
      : html`<div class="pc-table-wrap"><table class="pc-inbox" id="inbox"><thead><tr><th scope="col">${t.t(
          'inbox.recipient',
        )}</th><th scope="col">${t.t('inbox.subject')}</th><th scope="col">${t.t('inbox.time')}</th><th scope="col">${t.t(
          'inbox.status',
        )}</th><th scope="col">${t.t('inbox.code')}</th><th scope="col">${t.t('inbox.links')}</th></tr></thead><tbody>${page.messages.map(
          (m) => row(runtime, t, m),
        )}</tbody></table></div>`;
  const hasToken = typeof pageToken === 'string' && pageToken !== '';
  const pagingLinks = [
    hasToken
      ? html`<li><a id="inbox-newest" href="${runtime.path('inbox')}">${t.t('inbox.newest')}</a></li>`
      : undefined,
    page.nextPageToken === undefined
      ? undefined
      : html`<li><a id="inbox-older" href="${runtime.path('inbox', { page_token: page.nextPageToken })}">${t.t(
          'inbox.older',
        )}</a></li>`,
  ].filter((link) => link !== undefined);
  const paging = pagingLinks.length === 0 ? '' : html`<ul class="pc-links">${pagingLinks}</ul>`;
  return runtime.send(request, reply, {
    title: t.t('inbox.title'),
    body: html`<p class="pc-muted">${t.t('inbox.intro')}</p>${table}${paging}`,
    wide: true,
    referrer: 'no-referrer',
    nav: [{ href: runtime.path('welcome'), text: t.t('settings.back') }],
  });
}

/** Serves `GET /ui/inbox/:id`. */
export async function showInboxMessage(
  runtime: UiRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const inbox = runtime.deps.inbox;
  if (inbox === undefined) {
    reply.callNotFound();
    return reply;
  }
  const t = runtime.translator(request);
  const { id } = request.params as { id: string };
  const message = /^[0-9a-f-]{36}$/i.test(id) ? await inbox.getMessage(id) : undefined;
  if (message === undefined)
    return sendErrorPage(runtime, request, reply, { status: 404, message: 'inbox.not_found' });
  const codes = extractCodes(message.body);
  const body = html`<dl class="pc-traits" id="message-headers"><dt>${t.t('inbox.recipient')}</dt><dd id="message-recipient">${
    message.recipient
  }</dd><dt>${t.t('inbox.subject')}</dt><dd id="message-subject">${message.subject}</dd><dt>${t.t('inbox.time')}</dt><dd>${when(
    message.created_at,
  )}</dd><dt>${t.t('inbox.status')}</dt><dd>${t.t(statusKey(message))}</dd>${
    codes.length === 0
      ? ''
      : html`<dt>${t.t('inbox.code')}</dt><dd id="message-code">${codes.map(
          (code) => html`<code class="pc-code pc-inbox-code" data-code="${code}">${code}</code> `,
        )}</dd>`
  }</dl><h2 id="body-heading">${t.t('inbox.body')}</h2><pre class="pc-body" id="message-body">${renderBody(
    message.body,
  )}</pre><ul class="pc-links"><li><a id="inbox-back" href="${runtime.path('inbox')}">${t.t('inbox.back')}</a></li></ul>`;
  return runtime.send(request, reply, {
    title: t.t('inbox.message_title', { recipient: message.recipient }),
    body,
    referrer: 'no-referrer',
  });
}
