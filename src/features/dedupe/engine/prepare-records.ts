import { doubleMetaphone } from 'double-metaphone';
import type { FieldSpec, InputRecord } from './field-spec.ts';
import { canonicalGivenName } from './nicknames.ts';
import { companyTokens, houseNumberOf, isFreeMailDomain, normalizeAddress, normalizeDomain, normalizePersonName, normalizeText, phoneDigits, splitEmail, textTokens } from './normalize-values.ts';

/** One field over all records, normalized once (column-major: the pair loop reads it hot). */
export interface PreparedColumn {
  spec: FieldSpec;
  /** The comparable value, '' when missing. */
  values: string[];
  /** Distinct tokens (company, address, name fields), else empty arrays. */
  tokens: string[][];
  /** Weight of each token: its inverse document frequency in this column. */
  tokenWeights: number[][];
  /** Email local part, the last 7 phone digits, an address's house number, a given name as written; '' otherwise. */
  secondary: string[];
}

export interface PreparedRecords {
  ids: string[];
  sources: Int32Array;
  columns: PreparedColumn[];
  /** Phonetic code (Double Metaphone) of the given and family names, when the spec has them. */
  givenCodes: string[] | null;
  familyCodes: string[] | null;
  /** Family names read as given names ("Bob" -> "robert"), for comparing swapped names. */
  familyAsGiven: string[] | null;
  /** Indexes of the first email and company columns (-1 when absent): both name the employer. */
  employerColumns: { email: number; company: number };
}

export interface PrepareOptions {
  /** Whether an email domain is a free-mail (or disposable) provider rather than an employer. */
  isFreeMailDomain?: (domain: string) => boolean;
}

function prepareValue(spec: FieldSpec, raw: string | null | undefined, isFreeMail: (domain: string) => boolean): { value: string; tokens: string[]; secondary: string } {
  switch (spec.kind) {
    case 'given_name': {
      // The name as written too: "Jac" is short for "Jack", though "Jack" reads as "john".
      const written = normalizePersonName(raw);
      return { value: canonicalGivenName(written), tokens: [], secondary: written };
    }
    case 'family_name':
      return { value: normalizePersonName(raw), tokens: [], secondary: '' };
    case 'email': {
      const parts = splitEmail(raw);
      // The domain is kept as the one token of a work address: different employers are told apart by it.
      return parts ? { value: parts.address, tokens: isFreeMail(parts.domain) ? [] : [parts.domain], secondary: parts.local } : { value: '', tokens: [], secondary: '' };
    }
    case 'phone': {
      const digits = phoneDigits(raw);
      return digits.length >= 7 ? { value: digits, tokens: [], secondary: digits.slice(-7) } : { value: '', tokens: [], secondary: '' };
    }
    case 'company': {
      const tokens = companyTokens(raw);
      return { value: tokens.join(' '), tokens, secondary: '' };
    }
    case 'domain':
      return { value: normalizeDomain(raw), tokens: [], secondary: '' };
    case 'name': {
      const value = normalizeText(raw);
      return { value, tokens: textTokens(value), secondary: '' };
    }
    case 'address': {
      const value = normalizeAddress(raw);
      return { value, tokens: textTokens(value), secondary: houseNumberOf(value) };
    }
    case 'code':
      return { value: normalizeText(raw).replace(/ /g, ''), tokens: [], secondary: '' };
    case 'exact':
      return { value: normalizeText(raw), tokens: [], secondary: '' };
  }
}

const phonetic = (value: string): string => (value === '' ? '' : doubleMetaphone(value)[0] || value);

/** Normalizes every field of every record once, before blocking and comparison. */
export function prepareRecords(records: readonly InputRecord[], fields: readonly FieldSpec[], options: PrepareOptions = {}): PreparedRecords {
  const n = records.length;
  // One answer per distinct domain: a list has millions of addresses and a few thousand domains.
  const classify = options.isFreeMailDomain ?? isFreeMailDomain;
  const freeMail = new Map<string, boolean>();
  const isFreeMail = (domain: string) => {
    let free = freeMail.get(domain);
    if (free === undefined) freeMail.set(domain, (free = classify(domain)));
    return free;
  };
  const columns: PreparedColumn[] = fields.map((spec) => ({
    spec,
    values: new Array<string>(n),
    tokens: new Array<string[]>(n),
    tokenWeights: new Array<number[]>(n),
    secondary: new Array<string>(n),
  }));
  const sources = new Int32Array(n);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const record = records[i]!;
    ids[i] = record.id;
    sources[i] = record.source ?? 0;
    for (const column of columns) {
      const prepared = prepareValue(column.spec, record.values[column.spec.name], isFreeMail);
      column.values[i] = prepared.value;
      column.tokens[i] = prepared.tokens;
      column.secondary[i] = prepared.secondary;
    }
  }
  for (const column of columns) weighTokens(column);
  const given = columns.find((c) => c.spec.kind === 'given_name');
  const family = columns.find((c) => c.spec.kind === 'family_name');
  return {
    ids,
    sources,
    columns,
    givenCodes: given ? given.values.map(phonetic) : null,
    familyCodes: family ? family.values.map(phonetic) : null,
    familyAsGiven: family ? family.values.map(canonicalGivenName) : null,
    employerColumns: { email: fields.findIndex((f) => f.kind === 'email'), company: fields.findIndex((f) => f.kind === 'company') },
  };
}

const NO_WEIGHTS: number[] = [];

/** Inverse document frequency of each token in its column: ln(n / records holding it). */
function weighTokens(column: PreparedColumn): void {
  const frequency = new Map<string, number>();
  let documents = 0;
  for (const tokens of column.tokens) {
    if (tokens.length > 0) documents++;
    for (const t of tokens) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  }
  for (let i = 0; i < column.tokens.length; i++) {
    const tokens = column.tokens[i]!;
    column.tokenWeights[i] = tokens.length === 0 ? NO_WEIGHTS : tokens.map((t) => Math.log(1 + documents / frequency.get(t)!));
  }
}
