import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { AppEnv } from '../../platform/http/app-env.ts';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { authenticateKey, recordKeyUse, type Principal } from './workspaces.service.ts';

const USE_RECORD_MS = 60_000;

/**
 * Keeps `last_used_at` of keys current to the minute without a write per request, so
 * that `keys list` shows which keys are idle and safe to revoke.
 */
export function createKeyUseRecorder(db: Kysely<Database>) {
  const recorded = new Map<string, number>();
  return (principal: Principal): void => {
    const now = Date.now();
    if ((recorded.get(principal.keyId) ?? 0) > now - USE_RECORD_MS) return;
    recorded.set(principal.keyId, now);
    // Off the request path; a lost update only makes last_used_at a minute older.
    recordKeyUse(db, principal, new Date(now)).catch(() => recorded.delete(principal.keyId));
  };
}

/** Management API: `Authorization: Bearer <admin key>`. Viewer keys may only read. */
export function requireAdminKey(db: Kysely<Database>): MiddlewareHandler<AppEnv> {
  const noteUse = createKeyUseRecorder(db);
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new AppError('unauthorized', 'Missing admin key: send "Authorization: Bearer <admin key>"');
    const principal = await authenticateKey(db, match[1]!);
    if (principal.kind !== 'admin') throw new AppError('forbidden', 'A write key can only send events to /v1; use an admin key for the management API');
    if (principal.role === 'viewer' && !['GET', 'HEAD'].includes(c.req.method)) {
      throw new AppError('forbidden', `Key ${principal.keyId} has the viewer role and can only read`);
    }
    noteUse(principal);
    c.set('principal', principal);
    await next();
  };
}

const CACHE_MS = 5_000;

/**
 * Write-key check for the ingest hot path. A short cache spares one query per batch;
 * a revocation takes effect in this process at once and in others within 5 seconds.
 */
export function createWriteKeyAuthenticator(db: Kysely<Database>) {
  const cache = new Map<string, { principal: Principal; expires: number }>();
  const noteUse = createKeyUseRecorder(db);
  return {
    async authenticate(key: string): Promise<Principal> {
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.expires > now) {
        noteUse(hit.principal);
        return hit.principal;
      }
      const principal = await authenticateKey(db, key);
      if (principal.kind !== 'write') throw new AppError('unauthorized', 'Ingest needs a write key (kw_...), not an admin key');
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { principal, expires: now + CACHE_MS });
      noteUse(principal);
      return principal;
    },
    forget(keyId: string): void {
      for (const [key, entry] of cache) if (entry.principal.keyId === keyId) cache.delete(key);
    },
  };
}

export type WriteKeyAuthenticator = ReturnType<typeof createWriteKeyAuthenticator>;

/** The write key of a Segment request: Basic-auth user name, else `writeKey` in the body. */
export function writeKeyFrom(authorization: string | undefined, body: unknown): string | undefined {
  if (authorization) {
    const basic = /^Basic\s+(\S+)\s*$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const user = decoded.split(':')[0];
      if (user) return user;
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (bearer) return bearer[1];
  }
  if (typeof body === 'object' && body !== null && typeof (body as { writeKey?: unknown }).writeKey === 'string') {
    return (body as { writeKey: string }).writeKey;
  }
  return undefined;
}
