// Each top-level command and the module that registers it. A run loads only the module of the
// command it names (`keel attribution FILE.csv` must not pay for the database, HTTP and queue
// modules at start-up); help, an unknown command or no command loads them all, in this order.
// cli/command-table.test.ts checks that these names are what the modules register.
import type { Command } from 'commander';

export interface CommandModule {
  names: readonly string[];
  load: () => Promise<(program: Command) => void>;
}

export const COMMAND_TABLE: readonly CommandModule[] = [
  { names: ['start'], load: async () => (await import('./commands/start.ts')).registerStartCommand },
  { names: ['migrate'], load: async () => (await import('./commands/migrate.ts')).registerMigrateCommand },
  { names: ['workspace'], load: async () => (await import('./commands/workspace.ts')).registerWorkspaceCommands },
  { names: ['keys'], load: async () => (await import('./commands/keys.ts')).registerKeyCommands },
  { names: ['demo'], load: async () => (await import('./commands/demo.ts')).registerDemoCommand },
  { names: ['stats', 'contacts', 'events', 'rejected'], load: async () => (await import('./commands/browse.ts')).registerBrowseCommands },
  { names: ['tracking-plan'], load: async () => (await import('./commands/tracking-plan.ts')).registerTrackingPlanCommands },
  { names: ['health'], load: async () => (await import('./commands/health.ts')).registerHealthCommand },
  { names: ['normalize'], load: async () => (await import('./commands/normalize.ts')).registerNormalizeCommands },
  { names: ['enrich'], load: async () => (await import('./commands/enrich.ts')).registerEnrichCommands },
  { names: ['import'], load: async () => (await import('./commands/import.ts')).registerImportCommand },
  { names: ['export'], load: async () => (await import('./commands/export.ts')).registerExportCommand },
  { names: ['attribution'], load: async () => (await import('./commands/attribution.ts')).registerAttributionCommand },
  { names: ['reports'], load: async () => (await import('./commands/reports.ts')).registerReportCommands },
  { names: ['costs'], load: async () => (await import('./commands/costs.ts')).registerCostCommands },
  { names: ['schemas'], load: async () => (await import('./commands/schemas.ts')).registerSchemasCommand },
  { names: ['segments'], load: async () => (await import('./commands/segments.ts')).registerSegmentCommands },
  { names: ['scores'], load: async () => (await import('./commands/scores.ts')).registerScoreCommands },
  { names: ['stages'], load: async () => (await import('./commands/stages.ts')).registerStageCommands },
  { names: ['topics'], load: async () => (await import('./commands/topics.ts')).registerTopicCommands },
  { names: ['consent'], load: async () => (await import('./commands/consent.ts')).registerConsentCommands },
  { names: ['suppress'], load: async () => (await import('./commands/suppress.ts')).registerSuppressCommands },
  { names: ['policies'], load: async () => (await import('./commands/policies.ts')).registerPolicyCommands },
  { names: ['outbox'], load: async () => (await import('./commands/outbox.ts')).registerOutboxCommands },
  { names: ['dead-letters'], load: async () => (await import('./commands/dead-letters.ts')).registerDeadLetterCommands },
  { names: ['bounces'], load: async () => (await import('./commands/bounces.ts')).registerBounceCommands },
  { names: ['privacy'], load: async () => (await import('./commands/privacy.ts')).registerPrivacyCommands },
  { names: ['audit'], load: async () => (await import('./commands/audit.ts')).registerAuditCommand },
  { names: ['dedupe', 'merges'], load: async () => (await import('./commands/dedupe.ts')).registerDedupeCommands },
  { names: ['journeys'], load: async () => (await import('./commands/journeys.ts')).registerJourneyCommands },
  { names: ['templates'], load: async () => (await import('./commands/templates.ts')).registerTemplateCommands },
];

/** The modules to load for these arguments (argv without node and script). */
export function commandModulesFor(args: readonly string[]): readonly CommandModule[] {
  const name = args[0];
  const only = name === undefined ? undefined : COMMAND_TABLE.find((m) => m.names.includes(name));
  return only ? [only] : COMMAND_TABLE;
}
