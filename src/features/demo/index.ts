export {
  demoAccountCount,
  demoEventBatches,
  generateDemoEvents,
  resolveDemoOptions,
  ACCOUNTS_PER_SCALE,
  EVENTS_PER_ACCOUNT,
  MAX_SCALE,
  type DemoBatch,
  type DemoOptions,
} from './demo-generator.ts';
export { seedDemoWorkspace, DEMO_WORKSPACE_NAME, type SeedOptions, type SeedProgress, type SeedResult } from './demo.service.ts';
export { describeDemoAccount, type DemoAccount } from './demo-accounts.ts';
export type { DemoEvent } from './demo-event-sink.ts';
export type { DemoOpportunity, DemoStage } from './demo-opportunities.ts';
export { DEMO_FREE_MAIL_DOMAINS, JOB_TITLES } from './demo-people.ts';
export { ENTERPRISE_EMPLOYEES } from './demo-companies.ts';
export { seedDemoConsent, type DemoConsentResult } from './demo-consent.ts';
export { applyDemoNurtureJourney, DEMO_NURTURE_KEY } from './demo-nurture.ts';
export { seedDemoDuplicates, type DemoDedupeResult } from './demo-duplicates.ts';
export { importDemoContactsCsv, DEMO_CONTACTS_CSV } from './demo-csv-import.ts';
export { seedDemoEngagement, DEMO_SEED_AGENT, type DemoEngagementResult } from './demo-engagement.ts';
