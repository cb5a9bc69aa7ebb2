import { Command } from 'commander';
import { isAppError } from '../platform/errors.ts';
import { registerAttributionCommand } from './commands/attribution.ts';
import { registerAuditCommand } from './commands/audit.ts';
import { registerBounceCommands } from './commands/bounces.ts';
import { registerCostCommands } from './commands/costs.ts';
import { registerReportCommands } from './commands/reports.ts';
import { registerBrowseCommands } from './commands/browse.ts';
import { registerConsentCommands } from './commands/consent.ts';
import { registerDeadLetterCommands } from './commands/dead-letters.ts';
import { registerDedupeCommands } from './commands/dedupe.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerEnrichCommands } from './commands/enrich.ts';
import { registerExportCommand } from './commands/export.ts';
import { registerHealthCommand } from './commands/health.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerJourneyCommands } from './commands/journeys.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerNormalizeCommands } from './commands/normalize.ts';
import { registerOutboxCommands } from './commands/outbox.ts';
import { registerPolicyCommands } from './commands/policies.ts';
import { registerPrivacyCommands } from './commands/privacy.ts';
import { registerSchemasCommand } from './commands/schemas.ts';
import { registerScoreCommands } from './commands/scores.ts';
import { registerSegmentCommands } from './commands/segments.ts';
import { registerStageCommands } from './commands/stages.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerSuppressCommands } from './commands/suppress.ts';
import { registerTopicCommands } from './commands/topics.ts';
import { registerTrackingPlanCommands } from './commands/tracking-plan.ts';
import { registerTemplateCommands } from './commands/templates.ts';
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
registerTrackingPlanCommands(program);
registerHealthCommand(program);
registerNormalizeCommands(program);
registerEnrichCommands(program);
registerImportCommand(program);
registerExportCommand(program);
registerAttributionCommand(program);
registerReportCommands(program);
registerCostCommands(program);
registerSchemasCommand(program);
registerSegmentCommands(program);
registerScoreCommands(program);
registerStageCommands(program);
registerTopicCommands(program);
registerConsentCommands(program);
registerSuppressCommands(program);
registerPolicyCommands(program);
registerOutboxCommands(program);
registerDeadLetterCommands(program);
registerBounceCommands(program);
registerPrivacyCommands(program);
registerAuditCommand(program);
registerDedupeCommands(program);
registerJourneyCommands(program);
registerTemplateCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isAppError(error) ? `${error.message} (${error.code})` : (error as Error).message;
  process.stderr.write(`keel: ${message}\n`);
  process.exitCode = 1;
}
