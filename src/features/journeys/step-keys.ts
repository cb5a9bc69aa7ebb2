import { createHash } from 'node:crypto';
import type { Duration, EventMatch, PropertyFilter } from './journey-definition.ts';

// A fixed namespace for Keel journey step keys (RFC 4122 name-based uuids, version 5).
const KEEL_JOURNEY_NAMESPACE = Buffer.from('6f1c8a52d7a94f3e9b0e2c4d5a6b7c8d', 'hex');

/** RFC 4122 version-5 uuid of a name in Keel's journey namespace. */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(KEEL_JOURNEY_NAMESPACE).update(name).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface StepKey {
  journeyId: string;
  version: number;
  /** The run stands for (contact, entry): one run per entry of a contact. */
  runId: string;
  contactId: string;
  stepId: string;
  /** Which visit of the step in the run (a step inside a loop with a wait runs again). */
  seq: number;
}

/** The idempotency key of one step execution; its message id is derived from it. */
export const stepKeyText = (k: StepKey) => `journey:${k.journeyId}:v${k.version}:contact:${k.contactId}:run:${k.runId}:step:${k.stepId}:${k.seq}`;
export const messageIdOf = (k: StepKey) => nameBasedUuid(stepKeyText(k));

/** The job id of a run's scheduling token: sending the same token twice stores one job. */
export const jobIdOf = (runId: string, token: number) => nameBasedUuid(`journey-run:${runId}:token:${token}`);

/** A number in [0, 1) fixed by its inputs: the same contact gets the same bucket on every retry. */
export function bucketOf(...parts: string[]): number {
  const hash = createHash('sha256').update(parts.join('\u0000')).digest();
  return hash.readUInt32BE(0) / 2 ** 32;
}

/** The variant of a weighted split for a bucket in [0, 1). */
export function pickWeighted<T extends { weight: number }>(variants: readonly T[], bucket: number): T {
  const total = variants.reduce((n, v) => n + v.weight, 0);
  let at = bucket * total;
  for (const v of variants) {
    if (at < v.weight) return v;
    at -= v.weight;
  }
  return variants[variants.length - 1]!;
}

export const durationMs = (d: Pick<Duration, 'days' | 'hours' | 'minutes' | 'seconds'>) =>
  (((d.days ?? 0) * 24 + (d.hours ?? 0)) * 60 + (d.minutes ?? 0)) * 60_000 + (d.seconds ?? 0) * 1000;

/** The next moment after `now` at which the wall clock in `timeZone` reads HH:MM. */
export function nextTimeOfDay(now: Date, hhmm: string, timeZone: string | null): Date {
  const zone = validZone(timeZone) ? timeZone! : 'UTC';
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  // The zone's offset at `now`, then the candidate today and tomorrow in local time.
  for (let dayOffset = 0; dayOffset <= 2; dayOffset += 1) {
    const local = localParts(new Date(now.getTime() + dayOffset * 86_400_000), zone);
    const guess = Date.UTC(local.year, local.month - 1, local.day, h, m);
    const candidate = new Date(guess - offsetMs(new Date(guess), zone));
    if (candidate.getTime() > now.getTime()) return candidate;
  }
  return new Date(now.getTime() + 86_400_000);
}

function validZone(zone: string | null): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function localParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second) };
}

/** How far the zone's wall clock is ahead of UTC at `at`. */
function offsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/** Whether an event (name, properties) matches a trigger/goal/wait event filter. */
export function eventMatches(match: EventMatch, event: { name: string | null; properties: Record<string, unknown> }): boolean {
  if (event.name !== match.name) return false;
  return (match.where ?? []).every((f) => propertyMatches(f, readPath(event.properties, f.property)));
}

function readPath(doc: unknown, path: string): unknown {
  let at: unknown = doc;
  for (const part of path.split('.')) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[part] : undefined;
  return at;
}

function propertyMatches(f: PropertyFilter, value: unknown): boolean {
  const list = Array.isArray(f.value) ? f.value : [f.value];
  const same = (a: unknown, b: unknown) => a === b || (a !== undefined && a !== null && String(a) === String(b));
  switch (f.op) {
    case 'exists':
      return value !== undefined && value !== null;
    case 'not_exists':
      return value === undefined || value === null;
    case 'eq':
      return same(value, f.value);
    case 'neq':
      return !same(value, f.value);
    case 'in':
      return list.some((v) => same(value, v));
    case 'not_in':
      return !list.some((v) => same(value, v));
    case 'contains':
      return typeof value === 'string' && value.toLowerCase().includes(String(f.value).toLowerCase());
    default: {
      const a = Number(value);
      const b = Number(f.value);
      if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
      return f.op === 'gt' ? a > b : f.op === 'gte' ? a >= b : f.op === 'lt' ? a < b : a <= b;
    }
  }
}
