export {
  enrichContact,
  DEFAULT_ENRICHMENT_SETTINGS,
  LOCAL_ENRICHED_TRAITS,
  type ContactEnrichment,
  type ContactForEnrichment,
  type EnrichmentSettings,
  type EnrichmentSource,
} from './contact-enrichment.ts';
export { departmentOfTitle, seniorityOfTitle, type Department, type Seniority } from './title-rules.ts';
export { zoneOfCountry, type ZoneGuess } from './timezone.ts';
export { getEnrichmentSettings, updateEnrichmentSettings } from './enrichment-settings.ts';
export { enrichAccount, enrichAllAccounts, enrichAllContacts, enrichContactBatch, enrichContactsById, type EnrichmentOutcome } from './enrichment.service.ts';
export { HttpProviderConfigSchema, lookupHttpProvider, providerConfigJsonSchema, mapProviderFields, parseHttpProviderConfig, ProviderError, type HttpProviderConfig, type ProviderAnswer } from './http-provider.ts';
export { checkProviderName, getProviderConfig, listProviders, removeProvider, saveProvider, type ProviderView } from './providers.ts';
export { runProviderEnrichment, type ProviderRunOutcome } from './provider-run.ts';
export { TokenBucket, systemClock, type Clock } from './token-bucket.ts';
export { previewRecord, type RecordPreview } from './preview.ts';
export { registerEnrichmentRoutes } from './enrichment.routes.ts';
