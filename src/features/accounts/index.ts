export { createAccountsForDomains, findAccountIdsByDomains, pageAccountCores, setAccountTraits, type AccountCore } from './accounts.service.ts';
export { countAccounts, findAccountIdsByExternalIds, getAccount, listAccounts, upsertAccountsFromGroups, type AccountFilter, type AccountUpsert } from './accounts.service.ts';
export {
  countExactDuplicateAccounts,
  PROFILED_ACCOUNT_COLUMNS,
  profileAccountQuality,
  type AccountDuplicates,
  type AccountQualityProfile,
  type ProfiledAccountColumn,
} from './account-quality.queries.ts';
export { extractAccountFields, domainOf, type AccountFields, type ExtractedAccount } from './account-fields.ts';
