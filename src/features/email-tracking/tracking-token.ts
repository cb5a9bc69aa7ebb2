import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { createTokenSigner, verifyToken } from '../consent/index.ts';

/** What an open pixel or a tracked link says about the message it is in. */
export interface TrackedMessage {
  workspaceId: string;
  contactId: string;
  messageId: string;
  templateKey: string;
  templateVersion: number;
  journeyId: string | null;
  journeyVersion: number | null;
  stepId: string | null;
  variant: string | null;
  /** When the email was rendered (about when it was sent). */
  issuedAt: Date | null;
}

export interface TrackedClick extends TrackedMessage {
  linkIndex: number;
  url: string;
}

export type TrackingSigner = (kind: 'open' | 'click', message: TrackedMessage, link?: { index: number; url: string }) => string;

/** Signs with the workspace's secret through consent's signed-token helper (one secret read per email). */
export async function createTrackingSigner(db: Kysely<Database>, workspaceId: string): Promise<TrackingSigner> {
  const sign = await createTokenSigner(db, workspaceId);
  return (kind, m, link) => {
    const data: Record<string, string | number> = { m: m.messageId, t: m.templateKey, tv: m.templateVersion };
    if (m.journeyId) data.j = m.journeyId;
    if (m.journeyVersion !== null) data.jv = m.journeyVersion;
    if (m.stepId) data.s = m.stepId;
    if (m.variant) data.v = m.variant;
    if (m.issuedAt) data.at = Math.floor(m.issuedAt.getTime() / 1000);
    if (link) {
      data.i = link.index;
      data.u = link.url;
    }
    return sign({ workspaceId: m.workspaceId, contactId: m.contactId, purpose: kind, data });
  };
}

/** Checks an open token; `invalid` when forged, altered or not an open token. */
export async function verifyOpenToken(db: Kysely<Database>, token: string): Promise<TrackedMessage> {
  return messageOf(await verifyToken(db, token, 'open'));
}

/** Checks a click token and its destination (http or https only). */
export async function verifyClickToken(db: Kysely<Database>, token: string): Promise<TrackedClick> {
  const claims = await verifyToken(db, token, 'click');
  const url = claims.data?.u;
  const index = claims.data?.i;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || typeof index !== 'number') {
    throw new AppError('invalid', 'This link is not valid (no destination). Use the latest link from your email.', { field: 'token' });
  }
  return { ...messageOf(claims), linkIndex: index, url };
}

function messageOf(claims: Awaited<ReturnType<typeof verifyToken>>): TrackedMessage {
  const d = claims.data ?? {};
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  if (!text(d.m) || !text(d.t)) throw new AppError('invalid', 'This link is not valid (no message). Use the latest link from your email.', { field: 'token' });
  return {
    workspaceId: claims.workspaceId,
    contactId: claims.contactId,
    messageId: d.m as string,
    templateKey: d.t as string,
    templateVersion: num(d.tv) ?? 0,
    journeyId: text(d.j),
    journeyVersion: num(d.jv),
    stepId: text(d.s),
    variant: text(d.v),
    issuedAt: num(d.at) !== null ? new Date((d.at as number) * 1000) : null,
  };
}
