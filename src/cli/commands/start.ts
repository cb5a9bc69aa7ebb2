import { Option, type Command } from 'commander';
import type { Role } from '../../app.ts';
import { loadConfig } from '../../platform/config.ts';
import { openDatabase } from '../../platform/db/connection.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { createLogger } from '../../platform/logger.ts';
import { startServer } from '../../server.ts';
import { seedDemoOnEmptyDatabase } from './demo.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('Run Keel: API, dashboard and workers (PORT, default 3000)')
    .addOption(new Option('--role <role>', 'api, worker or all (api/worker need PostgreSQL)').choices(['api', 'worker', 'all']).default('all'))
    .option('--no-demo', 'do not seed the demo workspace on an empty database')
    .action(async (opts: { role: Role; demo: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      if (config.database.kind === 'pglite' && opts.role !== 'all') {
        throw new Error(`--role ${opts.role} needs a shared PostgreSQL (KEEL_DATABASE_URL): embedded PGlite is one process, so run --role all`);
      }
      const db = await openDatabase(config.database);
      const applied = await migrateToLatest(db);
      if (applied.length > 0) logger.info({ applied }, 'applied migrations');
      const server = await startServer({ db, logger, role: opts.role, port: config.port, host: config.host, importMaxBytes: config.importMaxBytes, mail: config.mail, jobs: config.jobs }).catch(async (error: unknown) => {
        await db.close();
        throw error;
      });
      const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.database.dataDir}`;
      const base = `http://localhost:${server.port}`;
      console.log(`\nKeel is running (${opts.role}) on ${where}.`);
      if (opts.role !== 'worker') {
        console.log(`  Home:            ${base}/`);
        console.log(`  API reference:   ${base}/api/v1/openapi.json`);
        console.log(`  Segment ingest:  ${base}/v1/batch (write key as the Basic-auth user name)\n`);
      }
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        await server.close();
        await db.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      if (opts.demo && opts.role !== 'api') await seedDemoOnEmptyDatabase(db, base, logger);
    });
}
