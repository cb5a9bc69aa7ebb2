import { Command } from 'commander';
import { isAppError } from '../platform/errors.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerBrowseCommands } from './commands/browse.ts';
import { registerConsentCommands } from './commands/consent.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerOutboxCommands } from './commands/outbox.ts';
import { registerPolicyCommands } from './commands/policies.ts';
import { registerPrivacyCommands } from './commands/privacy.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSuppressCommands } from './commands/suppress.ts';
import { registerTopicCommands } from './commands/topics.ts';
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
registerTopicCommands(program);
registerConsentCommands(program);
registerSuppressCommands(program);
registerPolicyCommands(program);
registerOutboxCommands(program);
registerPrivacyCommands(program);
registerAuditCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isAppError(error) ? `${error.message} (${error.code})` : (error as Error).message;
  process.stderr.write(`keel: ${message}\n`);
  process.exitCode = 1;
}
