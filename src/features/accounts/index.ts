export {
  countAccounts,
  findAccountIdsByExternalIds,
  findAccountsByKeys,
  insertAccounts,
  updateAccounts,
  type AccountWrite,
  getAccount, listAccounts, upsertAccountsFromGroups, type AccountFilter, type AccountUpsert } from './accounts.service.ts';
export { extractAccountFields, domainOf, type AccountFields } from './account-fields.ts';
