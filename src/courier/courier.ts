import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import { type Config, ConfigError, courierConfig } from '../config/index.js';
import { createJsonnetEvaluator, type JsonnetEvaluator } from '../jsonnet/index.js';
import { createOutboundHttp, type OutboundHttp, outboundHttpConfig } from '../kernel/http-client.js';
import type { Logger } from '../kernel/logger.js';
import type { Database } from '../persistence/database.js';
import type { Tables } from '../persistence/tables.js';
import type { Channel, OutgoingEmail } from './channels/channel.js';
import { createHttpChannel, kratosTemplateData } from './channels/http.js';
import {
  type CourierHttpConfig,
  courierHttpConfig,
  courierSmsChannelConfig,
  deliveryStrategy,
} from './channels/http-config.js';
import { createInboxChannel } from './channels/inbox.js';
import { createSmtpChannel } from './channels/smtp.js';
import { createMessageStore, type ListMessagesQuery } from './message-store.js';
import type { CourierMessage, CourierMessageWithDispatches, DeliveryChannel } from './model.js';
import {
  COURIER_TEMPLATE_TYPES,
  type CourierTemplateData,
  type CourierTemplateType,
  loadTemplates,
  SAMPLE_TEMPLATE_DATA,
  SMS_TEMPLATE_TYPES,
  type SmsTemplateType,
  smsTemplateData,
  type Templates,
} from './templates/index.js';
import { type CourierWorker, type MessageChannels, startWorker, type WorkerSettings } from './worker.js';

/**
 * A message for the outbox: an email (the default), or an SMS to an address whose `via` is
 * `sms`, as Kratos's code sender picks QueueEmail or QueueSMS by the address's channel.
 */
export type QueuedMessage =
  | { via?: 'email'; recipient: string; template: CourierTemplateType; data: CourierTemplateData }
  | { via: 'sms'; recipient: string; template: SmsTemplateType; data: CourierTemplateData };

export interface CourierDeps {
  /** `courier.*` is read from the document; `dev` turns on the dev inbox when SMTP is unset. */
  config: Pick<Config, 'document' | 'dev'>;
  database: Pick<Database, 'db' | 'engine'>;
  logger: Logger;
  /**
   * For `courier.delivery_strategy: http`: the process's shared evaluator and outbound client.
   * When absent (`courier watch`), the courier makes its own from the config and closes them.
   */
  jsonnet?: JsonnetEvaluator;
  http?: OutboundHttp;
  /** Where relative template paths resolve; the process's working directory by default. */
  cwd?: string;
  now?: () => Date;
}

/** The courier: an outbox that flows write to, and the workers that empty it. */
export interface Courier {
  /**
   * Renders the template now and writes the message as `queued` through `executor` (pass a
   * kysely Transaction<Tables> to write it in the same transaction as the change that caused it).
   * An email, or with `via: 'sms'` an SMS (type `sms`, its body the SMS template's text, no
   * subject): one way in for both, so that a flow sends by an address's `via` alone.
   */
  queueMessage(executor: Kysely<Tables>, message: QueuedMessage): Promise<{ id: string }>;
  /** Newest first, in keyset pages (for the admin API and the dev inbox). */
  listMessages(query: ListMessagesQuery): Promise<{ messages: CourierMessage[]; nextPageToken?: string }>;
  /** One message with its delivery attempts; undefined when there is none with that id. */
  getMessage(id: string): Promise<CourierMessageWithDispatches | undefined>;
  /** What a worker delivers email through: undefined when neither SMTP nor HTTP is set outside `--dev`. */
  readonly channel: DeliveryChannel | undefined;
  /** What a worker delivers SMS through: `sms` (`courier.channels`), `inbox` with `--dev` without it, or undefined. */
  readonly smsChannel: DeliveryChannel | undefined;
  /**
   * Starts a delivery loop in this process. Throws a ConfigError when there is no channel at all
   * to deliver through. `settings` overrides the defaults drawn from `courier.*`.
   */
  startWorker(settings?: Partial<WorkerSettings>): CourierWorker;
  /** Stops every worker this courier started, then closes the channel. */
  close(): Promise<void>;
}

/** A lease owner id that tells operators which process holds a message. */
function ownerId(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';
/** A phone number for the SMS samples (a fictional one: +1 555 01xx). */
const SAMPLE_PHONE = '+15555550100';

/** One email per template type, rendered from sample data: what the email HTTP body template is checked with. */
function sampleEmails(templates: Templates): OutgoingEmail[] {
  return COURIER_TEMPLATE_TYPES.map((type) => {
    const rendered = templates.render(type, SAMPLE_TEMPLATE_DATA);
    return {
      id: SAMPLE_ID,
      type: 'email',
      recipient: SAMPLE_TEMPLATE_DATA.To,
      subject: rendered.subject,
      body: rendered.plaintext,
      html_body: rendered.html,
      template_type: type,
      template_data: kratosTemplateData(SAMPLE_TEMPLATE_DATA),
    };
  });
}

/** One SMS per SMS template type, rendered from sample data: what the SMS channel's body template is checked with. */
function sampleSms(templates: Templates): OutgoingEmail[] {
  return SMS_TEMPLATE_TYPES.map((type) => ({
    id: SAMPLE_ID,
    type: 'sms',
    recipient: SAMPLE_PHONE,
    subject: '',
    body: templates.renderSms(type, SAMPLE_TEMPLATE_DATA),
    html_body: null,
    template_type: type,
    template_data: kratosTemplateData(smsTemplateData({ ...SAMPLE_TEMPLATE_DATA, To: SAMPLE_PHONE })),
  }));
}

/**
 * Builds the courier from `courier.*`. Templates are loaded and compiled, and the channels set
 * up (email: SMTP, `delivery_strategy: http` or the dev inbox; SMS: the `sms` entry of
 * `courier.channels` or the dev inbox), here: a broken template, a template source Portcullis
 * cannot read or an HTTP delivery config that cannot work stops the start with a ConfigError.
 */
export async function createCourier(deps: CourierDeps): Promise<Courier> {
  const document = deps.config.document;
  const strategy = deliveryStrategy(document);
  const area = courierConfig(document);
  if (!area.ok) throw new ConfigError(area.issues);
  const config = area.value;
  const logger = deps.logger.child({ component: 'courier' });
  for (const warning of config.warnings) logger.warn(warning);
  const now = deps.now ?? (() => new Date());
  const store = createMessageStore(deps.database.db, deps.database.engine);
  const templates = await loadTemplates(config, deps.cwd, (message) => logger.warn(message));

  const defaults: WorkerSettings = {
    pollIntervalMs: config.worker.pullWaitMs,
    batchSize: config.worker.pullCount,
    concurrency: Math.min(4, config.worker.pullCount),
    leaseMs: 60_000,
    sendTimeoutMs: 30_000,
    maxAttempts: config.messageRetries + 1,
    backoff: { baseMs: 15_000, maxMs: 3_600_000 },
    stopGraceMs: 10_000,
  };
  let channel: Channel | undefined;
  let smsChannel: Channel | undefined;
  /** What this courier made for itself and must close. */
  const owned: Array<{ close(): Promise<void> }> = [];
  const smsConfig = courierSmsChannelConfig(document);
  let shared: { jsonnet: JsonnetEvaluator; http: OutboundHttp } | undefined;
  /** The Jsonnet evaluator and outbound client HTTP channels use: the process's, or made here once. */
  const httpDeps = () => {
    if (shared !== undefined) return shared;
    let jsonnet = deps.jsonnet;
    if (jsonnet === undefined) {
      jsonnet = createJsonnetEvaluator({ logger });
      owned.push(jsonnet);
    }
    let http = deps.http;
    if (http === undefined) {
      const client = createOutboundHttp(outboundHttpConfig(document));
      owned.push(client);
      http = client;
    }
    shared = { jsonnet, http };
    return shared;
  };
  const cwd = deps.cwd ?? process.cwd();
  const httpChannel = (
    httpConfig: CourierHttpConfig,
    samples: OutgoingEmail[],
    id: 'http' | 'sms',
  ): Promise<Channel> =>
    createHttpChannel(httpConfig, { ...httpDeps(), cwd, timeoutMs: defaults.sendTimeoutMs }, samples, id);
  try {
    if (strategy === 'http') {
      channel = await httpChannel(courierHttpConfig(document), sampleEmails(templates), 'http');
    } else if (config.smtp.connectionUri !== undefined) {
      channel = await createSmtpChannel(config.smtp, {
        connectMs: 10_000,
        socketMs: defaults.sendTimeoutMs,
        maxConnections: defaults.concurrency,
      });
    } else if (deps.config.dev) {
      channel = createInboxChannel();
    }
    if (smsConfig !== undefined) smsChannel = await httpChannel(smsConfig, sampleSms(templates), 'sms');
    // As for email: with --dev and no SMS gateway, SMS go to the dev inbox (Kratos has no inbox).
    else if (deps.config.dev) smsChannel = createInboxChannel();
  } catch (error) {
    await channel?.close();
    await Promise.all(owned.map((o) => o.close()));
    throw error;
  }
  const workers = new Set<CourierWorker>();

  return {
    async queueMessage(executor, message) {
      const id = randomUUID();
      if (message.via === 'sms') {
        // Kratos's SMS models carry no link: the SMS and its template_data get only their variables.
        const data = smsTemplateData(message.data);
        await store.insert(
          executor,
          {
            id,
            type: 'sms',
            recipient: message.recipient,
            subject: '',
            body: templates.renderSms(message.template, data),
            html_body: null,
            template_type: message.template,
            template_data: kratosTemplateData(data),
          },
          now(),
        );
      } else {
        const rendered = templates.render(message.template, message.data);
        await store.insert(
          executor,
          {
            id,
            recipient: message.recipient,
            subject: rendered.subject,
            body: rendered.plaintext,
            html_body: rendered.html,
            template_type: message.template,
            template_data: kratosTemplateData(message.data),
          },
          now(),
        );
      }
      logger.debug(
        { message_id: id, message_type: message.via ?? 'email', template_type: message.template },
        'courier message queued',
      );
      return { id };
    },

    listMessages: (query) => store.list(query),
    getMessage: (id) => store.get(id),
    channel: channel?.id,
    smsChannel: smsChannel?.id,

    startWorker(overrides = {}) {
      if (channel === undefined && smsChannel === undefined) {
        throw new ConfigError([
          {
            path: 'courier.smtp.connection_uri',
            message: 'is needed to deliver email (with --dev and no SMTP server, mail goes to the dev inbox)',
          },
        ]);
      }
      // A message of a type with no channel fails at send, as in Kratos (see startWorker).
      const channels: MessageChannels = { email: channel, sms: smsChannel };
      // The worker caps the send timeout at half the lease (see WorkerSettings.sendTimeoutMs).
      const settings = { ...defaults, ...overrides };
      const worker = startWorker({ store, channels, logger: deps.logger, owner: ownerId(), now }, settings);
      workers.add(worker);
      return {
        async stop() {
          workers.delete(worker);
          await worker.stop();
        },
      };
    },

    async close() {
      await Promise.all([...workers].map((w) => w.stop()));
      workers.clear();
      await channel?.close();
      await smsChannel?.close();
      await Promise.all(owned.splice(0).map((o) => o.close()));
    },
  };
}
