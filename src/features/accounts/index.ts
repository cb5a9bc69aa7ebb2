export { countAccounts, findAccountIdsByExternalIds, getAccount, listAccounts, upsertAccountsFromGroups, type AccountFilter, type AccountUpsert } from './accounts.service.ts';
export { extractAccountFields, domainOf, type AccountFields } from './account-fields.ts';
export {
  countExactDuplicateAccounts,
  PROFILED_ACCOUNT_COLUMNS,
  profileAccountQuality,
  type AccountDuplicates,
  type AccountQualityProfile,
  type ProfiledAccountColumn,
} from './account-quality.queries.ts';
