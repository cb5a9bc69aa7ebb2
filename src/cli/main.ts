import { Command } from 'commander';
import { isAppError } from '../platform/errors.ts';
import { registerBrowseCommands } from './commands/browse.ts';
import { registerDedupeCommands } from './commands/dedupe.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerWorkspaceCommands } from './commands/workspace.ts';

const program = new Command()
  .name('keel')
  .description('Keel: the marketing operations backbone. Database: KEEL_DATABASE_URL (PostgreSQL) or embedded PGlite in KEEL_DATA_DIR (default .keel/data).')
  .showHelpAfterError();

registerStartCommand(program);
registerMigrateCommand(program);
registerWorkspaceCommands(program);
registerKeyCommands(program);
registerDemoCommand(program);
registerBrowseCommands(program);
registerDedupeCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isAppError(error) ? `${error.message} (${error.code})` : (error as Error).message;
  process.stderr.write(`keel: ${message}\n`);
  process.exitCode = 1;
}
