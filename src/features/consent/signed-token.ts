import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { getPolicies } from './policies.service.ts';
import { getCachedPolicies } from './send-settings.ts';

/** What a link lets its holder do: one purpose per token. */
export type TokenPurpose = 'unsubscribe' | 'preferences' | 'confirm' | 'open' | 'click';

export interface TokenClaims {
  workspaceId: string;
  contactId: string;
  purpose: TokenPurpose;
  /** The topic an unsubscribe or confirmation link is about. */
  topicId?: string | undefined;
  /** Expiry; confirmation links expire, unsubscribe links must keep working. */
  expiresAt?: Date | undefined;
  /** What else the link carries (email tracking: message id, link index, destination). */
  data?: Record<string, string | number> | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PURPOSES: readonly TokenPurpose[] = ['unsubscribe', 'preferences', 'confirm', 'open', 'click'];
// Click tokens carry their destination URL, so they may be longer than the consent links.
const MAX_TOKEN_CHARS = 4096;

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** A link token: base64url(claims) "." HMAC-SHA256 with the workspace's secret. */
export async function signToken(db: Kysely<Database>, claims: TokenClaims): Promise<string> {
  return (await createTokenSigner(db, claims.workspaceId))(claims);
}

/**
 * One secret read for many tokens of a workspace (every tracked link of an email), through
 * the send-path cache of policies (the signing secret never changes once generated).
 */
export async function createTokenSigner(db: Kysely<Database>, workspaceId: string): Promise<(claims: TokenClaims) => string> {
  return tokenSignerFor(workspaceId, (await getCachedPolicies(db, workspaceId)).signing_secret);
}

/** A signer with a secret already read (the gate holds the workspace's policies). */
export function tokenSignerFor(workspaceId: string, signing_secret: string): (claims: TokenClaims) => string {
  return (claims) => {
    if (claims.workspaceId !== workspaceId) throw new Error(`token signer of workspace ${workspaceId} asked to sign for ${claims.workspaceId}`);
    const payload = Buffer.from(
      JSON.stringify({
        w: claims.workspaceId,
        c: claims.contactId,
        p: claims.purpose,
        ...(claims.topicId ? { t: claims.topicId } : {}),
        ...(claims.expiresAt ? { x: Math.floor(claims.expiresAt.getTime() / 1000) } : {}),
        ...(claims.data ? { d: claims.data } : {}),
      }),
    ).toString('base64url');
    return `${payload}.${mac(signing_secret, payload)}`;
  };
}

/**
 * Checks a token's signature (constant-time) and purpose. A forged, altered, expired or
 * misused token is an `invalid` error that says which, without revealing anything else.
 */
export async function verifyToken(db: Kysely<Database>, token: string, purpose: TokenPurpose, now = new Date()): Promise<TokenClaims> {
  const bad = (why: string) => new AppError('invalid', `This link is not valid (${why}). Use the latest link from your email.`, { field: 'token' });
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > MAX_TOKEN_CHARS) throw bad('malformed token');
  let claims: { w?: unknown; c?: unknown; p?: unknown; t?: unknown; x?: unknown; d?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    throw bad('malformed token');
  }
  if (typeof claims.w !== 'string' || !UUID.test(claims.w) || typeof claims.c !== 'string' || !UUID.test(claims.c)) throw bad('malformed token');
  if (typeof claims.p !== 'string' || !PURPOSES.includes(claims.p as TokenPurpose)) throw bad('malformed token');
  let secret: string;
  try {
    secret = (await getPolicies(db, claims.w)).signing_secret;
  } catch {
    throw bad('signature does not match');
  }
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad('signature does not match');
  if (claims.p !== purpose) throw bad(`this is a ${claims.p} link, not a ${purpose} link`);
  if (typeof claims.x === 'number' && claims.x * 1000 < now.getTime()) throw bad(`expired on ${new Date(claims.x * 1000).toISOString()}`);
  return {
    workspaceId: claims.w,
    contactId: claims.c,
    purpose,
    topicId: typeof claims.t === 'string' && UUID.test(claims.t) ? claims.t : undefined,
    expiresAt: typeof claims.x === 'number' ? new Date(claims.x * 1000) : undefined,
    data: dataOf(claims.d),
  };
}

function dataOf(value: unknown): Record<string, string | number> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const data: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number') data[k] = v;
  return data;
}
