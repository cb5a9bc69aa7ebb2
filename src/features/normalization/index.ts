export { checkEmail, normalizeEmailAddress, type EmailCheck, type NormalizedEmail } from './email.ts';
export { checkPhone, type PhoneCheck } from './phone.ts';
export { checkCountry, nameOfCountry, type CountryCheck } from './country.ts';
export { cleanJobTitle, cleanPersonName, recasePersonName, type CleanName } from './person-name.ts';
export { cleanCompanyName, companyMatchKey } from './company-name.ts';
export { checkWebsiteDomain, registrableDomainOf, type DomainCheck } from './web-domain.ts';
export { classifyEmailDomain, type EmailDomainKind, type EmailDomainOptions } from './email-domain.ts';
export {
  issueValueOf,
  normalizeAccountField,
  normalizeContactField,
  textOf,
  MAX_FIELD_LENGTH,
  type AccountFieldName,
  type ContactFieldName,
  type FieldIssue,
  type FieldResult,
} from './field-normalizers.ts';
export {
  listFieldIssues,
  recordFieldChecks,
  summarizeFieldValidity,
  type FieldValiditySummary,
  type IssueCountRow,
  type IssueFilter,
  type ObjectFieldChecks,
} from './validation-issues.ts';
export { registerNormalizationRoutes } from './normalization.routes.ts';
export { eraseValidationIssuesOfContacts } from './erasure.queries.ts';
