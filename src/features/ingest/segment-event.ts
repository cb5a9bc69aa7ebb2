import { randomUUID } from 'node:crypto';
import type { EventType } from '../../platform/db/schema.ts';

export const EVENT_TYPES: readonly EventType[] = ['identify', 'track', 'page', 'screen', 'group', 'alias'];
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
const MAX_DEPTH = 64;
const MAX_ID_LENGTH = 512;

/** Values that SDKs and sloppy integrations send where an id is missing: never identifiers. */
const PLACEHOLDER_IDS = new Set(['', 'null', 'undefined', 'anonymous', '0', '-1', 'nan', 'none', 'nil', '[object object]']);

export function isPlaceholderId(value: string): boolean {
  return PLACEHOLDER_IDS.has(value.trim().toLowerCase());
}

type JsonObject = Record<string, unknown>;

/** An event as validated at ingest and kept in the inbox until it is processed. */
export interface AcceptedEvent {
  type: EventType;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  /** track: the event name; page/screen: the page name. */
  name: string | null;
  groupId: string | null;
  previousId: string | null;
  properties: JsonObject;
  traits: JsonObject;
  context: JsonObject;
  timestamp: string;
  originalTimestamp: string | null;
  sentAt: string | null;
  receivedAt: string;
}

export type Validation = { ok: true; event: AcceptedEvent } | { ok: false; reason: string; field: string | null };

export interface ValidationInput {
  raw: unknown;
  /** Forced by the single-event routes (`/v1/track` ...); read from the event in a batch. */
  type: EventType | undefined;
  receivedAt: Date;
  batchSentAt: unknown;
  batchContext: unknown;
}

type Failure = Extract<Validation, { ok: false }>;
type Ids = Record<'userId' | 'anonymousId' | 'groupId' | 'previousId', string | null>;
type Objects = Record<'properties' | 'traits' | 'context', JsonObject>;

const isFailure = (value: unknown): value is Failure =>
  typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;

/** Validates one Segment-spec event and normalizes it into an AcceptedEvent. */
export function validateEvent(input: ValidationInput): Validation {
  const { raw } = input;
  if (!isObject(raw)) return fail('event must be a JSON object', null);
  const bytes = Buffer.byteLength(JSON.stringify(raw));
  if (bytes > MAX_EVENT_BYTES) return fail(`event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES} bytes per event`, null);
  const hostile = findHostileValue(raw);
  if (hostile) return fail(hostile.reason, hostile.field);

  const type = input.type ?? raw.type;
  if (typeof type !== 'string' || !EVENT_TYPES.includes(type as EventType)) {
    return fail(`type must be one of ${EVENT_TYPES.join(', ')}; got ${describe(type)}`, 'type');
  }
  const t = type as EventType;
  const ids = readIds(raw, t);
  if (isFailure(ids)) return ids;
  const name = readName(raw, t);
  if (isFailure(name)) return name;
  const objects = readObjects(raw, input.batchContext);
  if (isFailure(objects)) return objects;
  const times = correctTimestamp(raw, input.batchSentAt, input.receivedAt);
  if ('reason' in times) return fail(times.reason, times.field);
  const messageId = readMessageId(raw);
  if (isFailure(messageId)) return messageId;

  return {
    ok: true,
    event: { type: t, messageId, ...ids, name, ...objects, ...times, receivedAt: input.receivedAt.toISOString() },
  };
}

/** userId, anonymousId, groupId, previousId: strings (numbers accepted), placeholders dropped. */
function readIds(raw: JsonObject, type: EventType): Ids | Failure {
  const ids: Ids = { userId: null, anonymousId: null, groupId: null, previousId: null };
  for (const field of ['userId', 'anonymousId', 'groupId', 'previousId'] as const) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' && typeof value !== 'number') return fail(`${field} must be a string; got ${describe(value)}`, field);
    const text = String(value).trim();
    if (text.length > MAX_ID_LENGTH) return fail(`${field} is ${text.length} characters; the limit is ${MAX_ID_LENGTH}`, field);
    ids[field] = isPlaceholderId(text) ? null : text;
  }
  if (!ids.userId && !ids.anonymousId) {
    return fail('userId or anonymousId is required (placeholders such as "null", "anonymous", "0" are not identifiers)', 'userId');
  }
  if (type === 'group' && !ids.groupId) return fail('groupId is required for a group call', 'groupId');
  if (type === 'alias' && !ids.userId) return fail('userId is required for an alias call', 'userId');
  if (type === 'alias' && !ids.previousId) return fail('previousId is required for an alias call', 'previousId');
  return ids;
}

/** track: the event name (required); page/screen: the page name (optional). */
function readName(raw: JsonObject, type: EventType): string | null | Failure {
  if (type === 'track') {
    if (typeof raw.event !== 'string' || raw.event.trim() === '') return fail(`event (the event name) must be a non-empty string; got ${describe(raw.event)}`, 'event');
    if (raw.event.length > 200) return fail(`event name is ${raw.event.length} characters; the limit is 200`, 'event');
    return raw.event.trim();
  }
  if (type !== 'page' && type !== 'screen') return null;
  if (raw.name !== undefined && raw.name !== null && typeof raw.name !== 'string') return fail(`name must be a string; got ${describe(raw.name)}`, 'name');
  return typeof raw.name === 'string' && raw.name.trim() !== '' ? raw.name.trim() : null;
}

/** properties, traits, context: objects; a batch's context fills what the event's lacks. */
function readObjects(raw: JsonObject, batchContext: unknown): Objects | Failure {
  const objects: Objects = { properties: {}, traits: {}, context: {} };
  for (const field of ['properties', 'traits', 'context'] as const) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) return fail(`${field} must be an object; got ${describe(value)}`, field);
    objects[field] = value;
  }
  if (isObject(batchContext)) objects.context = { ...batchContext, ...objects.context };
  if (raw.integrations !== undefined) objects.context = { ...objects.context, integrations: raw.integrations };
  return objects;
}

/** The client's messageId, or a new one (then the event cannot be de-duplicated). */
function readMessageId(raw: JsonObject): string | Failure {
  if (raw.messageId === undefined || raw.messageId === null) return randomUUID();
  if (typeof raw.messageId !== 'string' && typeof raw.messageId !== 'number') return fail(`messageId must be a string; got ${describe(raw.messageId)}`, 'messageId');
  const text = String(raw.messageId).trim();
  if (text.length > MAX_ID_LENGTH) return fail(`messageId is ${text.length} characters; the limit is ${MAX_ID_LENGTH}`, 'messageId');
  return text === '' ? randomUUID() : text;
}

interface CorrectedTimes {
  timestamp: string;
  originalTimestamp: string | null;
  sentAt: string | null;
}

/**
 * Segment's clock-skew correction: the client's clock may be wrong, but the gap between
 * when the event happened and when it was sent is right. So
 * timestamp = receivedAt - (sentAt - originalTimestamp).
 */
export function correctTimestamp(
  raw: JsonObject,
  batchSentAt: unknown,
  receivedAt: Date,
): CorrectedTimes | { reason: string; field: string } {
  const original = parseTime(raw.timestamp ?? raw.originalTimestamp, raw.timestamp !== undefined ? 'timestamp' : 'originalTimestamp');
  if (original && 'reason' in original) return original;
  const sent = parseTime(raw.sentAt ?? batchSentAt, 'sentAt');
  if (sent && 'reason' in sent) return sent;
  const originalAt = original?.date ?? null;
  const sentAt = sent?.date ?? null;
  let timestamp = originalAt ?? receivedAt;
  if (originalAt && sentAt) timestamp = new Date(receivedAt.getTime() - (sentAt.getTime() - originalAt.getTime()));
  return {
    timestamp: timestamp.toISOString(),
    originalTimestamp: originalAt?.toISOString() ?? null,
    sentAt: sentAt?.toISOString() ?? null,
  };
}

function parseTime(value: unknown, field: string): { date: Date } | { reason: string; field: string } | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    return { reason: `${field} must be an ISO-8601 date string; got ${describe(value)}`, field };
  }
  const date = new Date(value);
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1970 || year > 9999) {
    return { reason: `${field} is not a valid ISO-8601 date: ${JSON.stringify(value).slice(0, 80)}`, field };
  }
  return { date };
}

/**
 * PostgreSQL's jsonb refuses NUL characters and unpaired surrogates, and deep nesting
 * helps no one: find the first such value and name its path.
 */
export function findHostileValue(root: unknown): { reason: string; field: string } | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value: root, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = badString(value);
      if (problem) return { reason: `${path || 'value'} ${problem}`, field: path };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_DEPTH) return { reason: `${path} is nested deeper than ${MAX_DEPTH} levels`, field: path };
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, child] of entries) {
      const keyProblem = badString(key);
      const childPath = path === '' ? key : `${path}.${key}`;
      if (keyProblem) return { reason: `a key under ${path || 'the event'} ${keyProblem}`, field: path };
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

function badString(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (!text.isWellFormed()) return 'contains an unpaired UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.slice(0, 60)}"`;
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 60) ?? ''}`.trim();
}

function fail(reason: string, field: string | null): Failure {
  return { ok: false, reason, field };
}
