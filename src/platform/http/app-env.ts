import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database, KeyKind, KeyRole } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

/** Who a request's API key belongs to; set by the auth middleware. */
export interface RequestPrincipal {
  workspaceId: string;
  keyId: string;
  kind: KeyKind;
  role: KeyRole;
}

export interface AppEnv {
  Variables: {
    principal: RequestPrincipal;
  };
}

export type ApiApp = OpenAPIHono<AppEnv>;

/** What every route module gets from the composition root. */
export interface RouteDeps {
  db: Kysely<Database>;
  logger: Logger;
}
