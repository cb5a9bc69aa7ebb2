// The messaging feature's public surface. Transports are deliberately NOT exported: the
// only way to hand a message to one is Mailer.send, which runs the gate (send-gate.test.ts
// fails if that changes).
export {
  createMailer,
  type BatchOutcome,
  type BlockReason,
  type DeferReason,
  type EmailContent,
  type JourneyRef,
  type Mailer,
  type MailerOptions,
  type RetryRound,
  type SendOutcome,
  type SendRequest,
  type SmsContent,
  type WebhookContent,
} from './send-gate.ts';
export { buildContactLinks, escapeHtml } from './email-compose.ts';
export { deleteMessagesOfPerson, getMessage, listDeadLetters, listJourneyMessages, listMessages, moveMessagesToContact, restoreMessagesToContact, type JourneyMessage, type Message, type MessageFilter } from './messages.service.ts';
export { presentOutcome, registerMessageRoutes } from './messages.routes.ts';
export { pooledSmtpUrl } from './smtp-pool.ts';
export { quietHoursEnd } from './quiet-hours.ts';
export { recordBounce, type BounceKind, type BounceReport, type BounceResult } from './bounces.service.ts';
export { createRetryWorker, type RetryWorker } from './retry-worker.ts';
export { handleInboundSms, smsKeywordOf, type InboundSmsResult, type SmsKeyword } from './sms-inbound.service.ts';
export { capsFor, evaluateCaps, type FrequencyCap } from './caps.ts';
export { evaluateThrottle } from './throttle.ts';
