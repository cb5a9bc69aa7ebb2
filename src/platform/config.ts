import { resolve } from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  KEEL_DATA_DIR: z.string().default('.keel/data'),
  // An empty value means unset, so that `KEEL_DATABASE_URL= keel start` picks PGlite.
  KEEL_DATABASE_URL: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  ),
  // CSV uploads to /api/v1/imports are streamed, so the default can exceed memory (10 GiB).
  KEEL_IMPORT_MAX_BYTES: z.coerce.number().int().min(1).default(10 * 1024 ** 3),
  // Base URL of the public pages (unsubscribe, preferences) in the links of emails.
  KEEL_PUBLIC_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL').optional()),
  // SMTP relay for every workspace without its own; unset: messages go to the built-in outbox.
  KEEL_SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL').optional()),
  // Job queue (pg-boss) and journeys: idle poll of step workers (pg-boss minimum 0.5 s), the
  // lease of a message step (a crashed worker's step is retried after it), the trigger scan.
  KEEL_JOBS_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(1),
  KEEL_JOURNEY_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  KEEL_JOURNEY_SCAN_MS: z.coerce.number().int().min(50).max(600_000).default(1000),
  // Lease of a message's delivery attempt: a row left "retrying" by a crashed process is
  // attempted again by the retry worker after it (default 600 s).
  KEEL_MESSAGE_LEASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  KEEL_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type DatabaseTarget =
  | { kind: 'pglite'; dataDir: string | undefined }
  | { kind: 'postgres'; url: string };

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseTarget;
  readonly importMaxBytes: number;
  readonly logLevel: z.infer<typeof EnvSchema>['KEEL_LOG_LEVEL'];
  readonly mail: { readonly publicUrl: string; readonly smtpUrl: string | undefined };
  readonly jobs: { readonly pollingIntervalSeconds: number; readonly journeyLeaseSeconds: number; readonly journeyScanMs: number };
}

/**
 * Parses the environment once into a frozen, typed config.
 * Throws a message naming every bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  const e = parsed.data;
  const database: DatabaseTarget = e.KEEL_DATABASE_URL
    ? { kind: 'postgres', url: e.KEEL_DATABASE_URL }
    : { kind: 'pglite', dataDir: resolve(e.KEEL_DATA_DIR) };
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    database,
    importMaxBytes: e.KEEL_IMPORT_MAX_BYTES,
    logLevel: e.KEEL_LOG_LEVEL,
    mail: Object.freeze({ publicUrl: e.KEEL_PUBLIC_URL ?? `http://localhost:${e.PORT}`, smtpUrl: e.KEEL_SMTP_URL, retry: Object.freeze({ leaseMs: e.KEEL_MESSAGE_LEASE_SECONDS * 1000 }) }),
    jobs: Object.freeze({ pollingIntervalSeconds: e.KEEL_JOBS_POLL_SECONDS, journeyLeaseSeconds: e.KEEL_JOURNEY_LEASE_SECONDS, journeyScanMs: e.KEEL_JOURNEY_SCAN_MS }),
  });
}
