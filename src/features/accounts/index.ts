export {
  countAccounts,
  createAccountsForDomains,
  findAccountIdsByDomains,
  findAccountIdsByExternalIds,
  findAccountsByKeys,
  getAccount,
  insertAccounts,
  listAccounts,
  pageAccountCores,
  setAccountTraits,
  updateAccounts,
  upsertAccountsFromGroups,
  type AccountCore,
  type AccountFilter,
  type AccountUpsert,
  type AccountWrite,
} from './accounts.service.ts';
export {
  countExactDuplicateAccounts,
  PROFILED_ACCOUNT_COLUMNS,
  profileAccountQuality,
  type AccountDuplicates,
  type AccountQualityProfile,
  type ProfiledAccountColumn,
} from './account-quality.queries.ts';
export { extractAccountFields, domainOf, type AccountFields, type ExtractedAccount } from './account-fields.ts';
