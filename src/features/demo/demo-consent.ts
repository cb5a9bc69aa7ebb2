import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { addSuppressions, createTopic, listTopics, recordConsent, updatePolicies, type ConsentInput } from '../consent/index.ts';
import { listContacts } from '../contacts/index.ts';
import { createMailer } from '../messaging/index.ts';

const ACTOR = systemActor('demo');
const DEMO_CONTACTS = 60;

export interface DemoConsentResult {
  topics: number;
  consentRecords: number;
  suppressions: number;
  messages: number;
}

/**
 * Topics, consent histories (opted in, opted out, pending, changed minds), a few
 * suppressions, the sender's address and a few outbox messages. Runs once per workspace:
 * a workspace that has topics already is left alone.
 */
export async function seedDemoConsent(db: Kysely<Database>, workspaceId: string, publicUrl = 'http://localhost:3000'): Promise<DemoConsentResult> {
  const none = { topics: 0, consentRecords: 0, suppressions: 0, messages: 0 };
  if ((await listTopics(db, workspaceId)).length > 0) return none;
  await updatePolicies(db, workspaceId, { senderName: 'Northwind Analytics', senderEmail: 'news@northwind.example', postalAddress: 'Northwind Analytics, 500 Harbor Blvd, Suite 300, Portland, OR 97201, USA', maxPerWeek: 5 }, ACTOR);
  await createTopic(db, workspaceId, { key: 'newsletter', name: 'Monthly newsletter', description: 'Product news and articles, once a month', regime: 'opt_in', doubleOptIn: true }, ACTOR);
  await createTopic(db, workspaceId, { key: 'product-updates', name: 'Product updates', description: 'Release notes for the products you use', regime: 'opt_out' }, ACTOR);
  await createTopic(db, workspaceId, { key: 'events', name: 'Events and webinars', description: 'Invitations to events near you', regime: 'opt_in', channels: ['email', 'sms'] }, ACTOR);
  const contacts = (await listContacts(db, workspaceId, { limit: DEMO_CONTACTS })).filter((c) => c.email);
  const records: ConsentInput[] = [];
  const day = 86_400_000;
  contacts.forEach((c, i) => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day);
    const base = { contactId: c.id, ip: `198.51.100.${(i % 250) + 1}`, userAgent: 'Mozilla/5.0 (demo)' };
    const agreed = 'Yes, send me the Northwind newsletter. I can unsubscribe at any time.';
    switch (i % 6) {
      case 0: records.push({ ...base, topicKey: 'newsletter', status: 'opted_in', source: 'form', consentText: agreed, at: at(90) }); break;
      case 1: records.push({ ...base, topicKey: 'newsletter', status: 'pending', source: 'form', consentText: agreed, at: at(2) }); break;
      case 2: records.push({ ...base, topicKey: 'product-updates', status: 'opted_out', source: 'unsubscribe_link', at: at(30) }); break;
      case 3:
        records.push({ ...base, topicKey: 'events', status: 'opted_in', source: 'form', consentText: 'Invite me to events.', at: at(120) });
        records.push({ ...base, topicKey: 'events', status: 'opted_out', source: 'preference_centre', at: at(10) });
        break;
      case 4:
        records.push({ ...base, topicKey: 'newsletter', status: 'opted_in', source: 'import', lawfulBasis: 'consent', consentText: 'Imported from the 2024 webinar sign-up list', at: at(200) });
        records.push({ ...base, topicKey: 'events', status: 'opted_in', source: 'form', consentText: 'Invite me to events.', at: at(60) });
        break;
      default: break; // no record: only the opt-out topic reaches them
    }
  });
  await recordConsent(db, workspaceId, records, ACTOR);
  const emails = contacts.map((c) => c.email!);
  const suppressions = await addSuppressions(
    db,
    workspaceId,
    [
      { email: emails[5] ?? 'bounced@example.com', reason: 'hard_bounce', source: 'demo', note: '550 mailbox unavailable' },
      { email: emails[11] ?? 'complaint@example.com', reason: 'complaint', source: 'demo', note: 'Feedback loop report' },
      { email: emails[17] ?? 'manual@example.com', reason: 'manual', channel: 'sms', source: 'demo', note: 'Asked by phone: no texts' },
    ],
    ACTOR,
  );
  const mailer = createMailer({ publicUrl }); // the outbox: the demo never mails anyone
  let messages = 0;
  try {
    for (const c of contacts.filter((_, i) => i % 6 === 0 || i % 6 === 4).slice(0, 4)) {
      const outcome = await mailer.send(db, { workspaceId, contactId: c.id, topicKey: 'newsletter', kind: 'marketing', priority: 'high', content: { subject: `${c.first_name ?? 'Hello'}, the Northwind newsletter is out`, text: 'This month: faster dashboards, a new API, and our roadmap.' } });
      if (outcome.status === 'sent') messages += 1;
    }
  } finally {
    await mailer.close();
  }
  // After the sends, so that the demo's outbox never depends on the hour it was seeded at.
  await updatePolicies(db, workspaceId, { quietHours: { start: '21:00', end: '08:00', timezone: 'America/Los_Angeles' } }, ACTOR);
  // Channels: per-channel caps, and webhooks only to this machine (a local receiver) and Slack.
  await updatePolicies(db, workspaceId, { emailMaxPerWeek: 3, smsMaxPerWeek: 2, webhookAllowedHosts: ['localhost', '127.0.0.1', 'hooks.slack.com'], webhookSecret: randomBytes(24).toString('hex'), smsInboundSecret: randomBytes(24).toString('hex') }, ACTOR);
  return { topics: 3, consentRecords: records.length, suppressions: suppressions.length, messages };
}
