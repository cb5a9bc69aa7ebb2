import { Command } from 'commander';
import { isAppError } from '../platform/errors.ts';
import { commandModulesFor } from './command-table.ts';

const program = new Command()
  .name('keel')
  .description('Keel: the marketing operations backbone. Database: KEEL_DATABASE_URL (PostgreSQL) or embedded PGlite in KEEL_DATA_DIR (default .keel/data).')
  .showHelpAfterError();

try {
  for (const module of commandModulesFor(process.argv.slice(2))) (await module.load())(program);
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isAppError(error) ? `${error.message} (${error.code})` : (error as Error).message;
  process.stderr.write(`keel: ${message}\n`);
  process.exitCode = 1;
}
