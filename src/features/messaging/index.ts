// The messaging feature's public surface. Transports are deliberately NOT exported: the
// only way to hand a message to one is Mailer.send, which runs the gate (send-gate.test.ts
// fails if that changes).
export { createMailer, type BlockReason, type Mailer, type MailerOptions, type SendOutcome, type SendRequest } from './send-gate.ts';
export { buildContactLinks, escapeHtml } from './email-compose.ts';
export { deleteMessagesOfPerson, getMessage, listMessages, type Message, type MessageFilter } from './messages.service.ts';
export { presentOutcome, registerMessageRoutes } from './messages.routes.ts';
export { quietHoursEnd } from './quiet-hours.ts';
