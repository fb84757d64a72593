/**
 * The courier: an outbox of email and SMS written in the same transaction as the change that caused
 * it, and workers that deliver it with a lease, retries and back-off (at-least-once, with a
 * stable Message-ID per message).
 *
 * @example
 * await db.transaction().execute(async (trx) => {
 *   await codes.issue(trx, ...);
 *   await courier.queueMessage(trx, { recipient, template: 'verification_code_valid', data: { To: recipient, VerificationCode } });
 * });
 * const worker = courier.startWorker();
 * // ...
 * await worker.stop();
 */

export { adminCourierRoutes } from './admin-routes.js';
export { type Courier, type CourierDeps, createCourier, type QueuedMessage } from './courier.js';
export type { ListMessagesQuery } from './message-store.js';
export type {
  CourierMessage,
  CourierMessageWithDispatches,
  DeliveryChannel,
  DispatchError,
  MessageDispatch,
  MessageStatus,
  MessageType,
} from './model.js';
export type { CourierTemplateData, CourierTemplateType, SmsTemplateType } from './templates/types.js';
export type { CourierWorker, WorkerSettings } from './worker.js';
