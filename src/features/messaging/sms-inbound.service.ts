import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import { systemActor } from '../audit/index.ts';
import { addSmsOptOut, findPhoneSuppressions, getConsentState, getPolicies, liftSmsOptOuts, recordConsent } from '../consent/index.ts';
import { findContactIdsByPhone } from '../contacts/index.ts';
import { checkPhone } from '../normalization/index.ts';

/** The carriers' standard keywords (CTIA): opt-out, opt-in again, help. */
const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP']);
const HELP = new Set(['HELP', 'INFO']);

export type SmsKeyword = 'stop' | 'start' | 'help' | null;

/** The keyword of an inbound text: the whole message, trimmed, in any case. */
export function smsKeywordOf(body: string): SmsKeyword {
  const word = body.trim().toUpperCase();
  if (STOP.has(word)) return 'stop';
  if (START.has(word)) return 'start';
  if (HELP.has(word)) return 'help';
  return null;
}

export interface InboundSmsResult {
  keyword: SmsKeyword;
  phone: string;
  contactIds: string[];
  /** The text to answer with (null: no answer). */
  reply: string | null;
}

const ACTOR = systemActor('sms-inbound');

/** Checks the secret of the inbound URL in constant time; unknown workspace and wrong secret answer alike. */
export async function authenticateInbound(db: Kysely<Database>, workspaceId: string, secret: string): Promise<void> {
  const denied = new AppError('unauthorized', 'Unknown inbound SMS URL: check the workspace id and sms_inbound_secret');
  if (!/^[0-9a-f-]{36}$/i.test(workspaceId)) throw denied;
  const policies = await getPolicies(db, workspaceId).catch(() => null);
  const expected = policies?.sms_inbound_secret;
  if (!expected) throw denied;
  const a = Buffer.from(expected);
  const b = Buffer.from(secret);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw denied;
}

/**
 * An incoming text: STOP and its synonyms opt the number out of the SMS channel (a
 * suppression with scope channel sms, and an opted_out consent record on every topic sent
 * by SMS for each contact with that number); START / UNSTOP lift it and record opted_in
 * again on those topics; HELP answers with the sender and how to stop. Other texts are
 * acknowledged without an answer.
 */
export async function handleInboundSms(db: Kysely<Database>, workspaceId: string, input: { from: string; body: string }): Promise<InboundSmsResult> {
  const phone = checkPhone(input.from);
  if (!phone.ok) throw new AppError('invalid', `From must be a phone number in E.164, got ${JSON.stringify(String(input.from).slice(0, 40))} (${phone.reason})`, { field: 'From' });
  const keyword = smsKeywordOf(String(input.body ?? ''));
  const policies = await getPolicies(db, workspaceId);
  const sender = policies.sender_name ?? 'us';
  return inTransaction(db, async (trx) => {
    const contactIds = await findContactIdsByPhone(trx, workspaceId, phone.e164);
    if (keyword === 'stop') {
      const existing = await findPhoneSuppressions(trx, workspaceId, phone.e164);
      if (!existing.some((s) => s.reason === 'unsubscribed')) await addSmsOptOut(trx, workspaceId, { phone: phone.e164, source: 'sms_keyword' }, ACTOR);
      await recordSmsConsent(trx, workspaceId, contactIds, 'opted_out');
      return { keyword, phone: phone.e164, contactIds, reply: `You are unsubscribed from ${sender} texts and will receive no more. Reply START to subscribe again.` };
    }
    if (keyword === 'start') {
      await liftSmsOptOuts(trx, workspaceId, phone.e164, ACTOR);
      await recordSmsConsent(trx, workspaceId, contactIds, 'opted_in');
      return { keyword, phone: phone.e164, contactIds, reply: `You are subscribed to ${sender} texts again. Reply STOP to unsubscribe, HELP for help.` };
    }
    if (keyword === 'help') {
      const contact = policies.sender_email ? ` Contact: ${policies.sender_email}.` : '';
      return { keyword, phone: phone.e164, contactIds, reply: `${sender}: marketing texts. Msg & data rates may apply. Reply STOP to unsubscribe.${contact}` };
    }
    return { keyword, phone: phone.e164, contactIds, reply: null };
  });
}

/** Opt-out: every SMS topic the contact is on; opt-in (START): the SMS topics a STOP opted out. */
async function recordSmsConsent(db: Kysely<Database>, workspaceId: string, contactIds: string[], status: 'opted_in' | 'opted_out'): Promise<void> {
  const inputs = [];
  for (const contactId of contactIds) {
    for (const state of await getConsentState(db, workspaceId, contactId)) {
      if (!state.topic.channels.includes('sms')) continue;
      // Only topics the person gets now: START must not grant what STOP did not take away.
      if (status === 'opted_out' && !state.subscribed) continue;
      if (status === 'opted_in' && !(state.current?.status === 'opted_out' && state.current.source === 'sms_keyword')) continue;
      inputs.push({ contactId, topicKey: state.topic.key, status, source: 'sms_keyword' as const, lawfulBasis: 'consent' as const, consentText: status === 'opted_in' ? 'Replied START by SMS' : 'Replied STOP by SMS' });
    }
  }
  if (inputs.length) await recordConsent(db, workspaceId, inputs, ACTOR);
}
