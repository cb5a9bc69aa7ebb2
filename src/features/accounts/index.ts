export {
  countAccounts,
  findAccountIdsByExternalIds,
  getAccount,
  listAccountMatchRows,
  listAccounts,
  MERGEABLE_ACCOUNT_COLUMNS,
  mergeAccounts,
  reinsertAccount,
  revertAccountFields,
  upsertAccountsFromGroups,
  type AccountFieldChanges,
  type AccountFilter,
  type AccountUpsert,
  type AccountValues,
  type MergeableAccountColumn,
} from './accounts.service.ts';
export { extractAccountFields, domainOf, type AccountFields } from './account-fields.ts';
