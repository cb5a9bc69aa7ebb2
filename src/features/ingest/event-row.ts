import type { EventInsert } from '../events/index.ts';
import type { AcceptedEvent } from './segment-event.ts';

type Json = Record<string, unknown>;

const obj = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 2000) : null);

const UTM_KEYS = [
  ['source', 'utm_source'],
  ['medium', 'utm_medium'],
  ['name', 'utm_campaign'],
  ['term', 'utm_term'],
  ['content', 'utm_content'],
] as const;

/**
 * Flattens the parts of an event that reports filter on: the page URL and referrer
 * (context.page, else page properties) and UTM values (context.campaign, else the
 * utm_* query parameters of the page URL).
 */
export function toEventRow(event: AcceptedEvent, contactId: string): EventInsert {
  const page = obj(event.context.page);
  const campaign = obj(event.context.campaign);
  const pageUrl = str(page.url) ?? (event.type === 'page' ? str(event.properties.url) : null);
  const referrer = str(page.referrer) ?? (event.type === 'page' ? str(event.properties.referrer) : null);
  let query: URLSearchParams | undefined;
  try {
    query = pageUrl ? new URL(pageUrl).searchParams : undefined;
  } catch {
    query = undefined;
  }
  const utm = Object.fromEntries(UTM_KEYS.map(([key, param]) => [param, str(campaign[key]) ?? str(query?.get(param))])) as Record<
    (typeof UTM_KEYS)[number][1],
    string | null
  >;
  return {
    message_id: event.messageId,
    type: event.type,
    name: event.name,
    contact_id: contactId,
    user_id: event.userId,
    anonymous_id: event.anonymousId,
    group_id: event.groupId ?? (event.type === 'alias' ? event.previousId : null),
    properties: event.properties,
    traits: event.traits,
    context: event.context,
    page_url: pageUrl,
    referrer,
    ...utm,
    timestamp: event.timestamp,
    original_timestamp: event.originalTimestamp,
    sent_at: event.sentAt,
    received_at: event.receivedAt,
  };
}
