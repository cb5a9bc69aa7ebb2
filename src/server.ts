import { serve, type ServerType } from '@hono/node-server';
import { createApp, type Role } from './app.ts';
import type { Db } from './platform/db/connection.ts';
import type { MailerOptions } from './features/messaging/index.ts';
import type { Logger } from './platform/logger.ts';

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  db: Db;
  logger: Logger;
  role: Role;
  port: number;
  host: string;
  importMaxBytes?: number | undefined;
  mail?: MailerOptions | undefined;
  jobs?: { pollingIntervalSeconds?: number; journeyLeaseSeconds?: number; journeyScanMs?: number } | undefined;
}

/** Serves the API (roles api/all) and runs the workers (roles worker/all). */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { app, worker, healthSnapshots, audienceWorker, privacyWorker, mailer, retryWorker, journeys } = createApp({
    db: options.db,
    logger: options.logger,
    importMaxBytes: options.importMaxBytes,
    mail: options.mail,
    jobs: options.jobs,
  });
  let server: ServerType | undefined;
  let port = options.port;
  if (options.role !== 'worker') {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
        port = info.port;
        resolve(s);
      });
      s.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`Port ${options.port} on ${options.host} is already in use: stop what runs there, or start Keel with another PORT`)
            : error,
        ),
      );
    });
  }
  // Only once listening: a failed start must not leave a worker running.
  if (options.role !== 'api') {
    worker.start();
    healthSnapshots.start();
    audienceWorker.start();
    privacyWorker.start();
    retryWorker.start();
    await journeys.start();
  }
  return {
    port,
    async close() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await worker.stop();
      await healthSnapshots.stop();
      await audienceWorker.stop();
      await privacyWorker.stop();
      await retryWorker.stop();
      await journeys.stop();
      await mailer.close();
    },
  };
}
