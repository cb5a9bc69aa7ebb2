import type { Command } from 'commander';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { withContext } from '../cli-context.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations')
    .action(async () => {
      await withContext(
        async ({ db, config }) => {
          const applied = await migrateToLatest(db);
          const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `PGlite (${config.database.dataDir})`;
          console.log(applied.length === 0 ? `Database is up to date (${where}).` : `Applied ${applied.join(', ')} on ${where}.`);
        },
        { migrate: false },
      );
    });
}
