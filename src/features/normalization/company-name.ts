// Legal-form suffixes across the markets Keel's users sell into. Matched on the name's
// end after punctuation is removed, possibly several ("Acme Holdings Co. Ltd").
const LEGAL_FORMS = [
  'incorporated', 'inc', 'corporation', 'corp', 'company', 'co', 'llc', 'llp', 'lp', 'ltd', 'limited', 'plc', 'pllc', 'pc',
  'gmbh', 'ag', 'kg', 'ohg', 'ug', 'gmbh and co kg', 'ag and co kg', 'and co', 'and company', 'and sons', 'se', 'ev', 'sa', 'sas', 'sarl', 'sasu', 'eurl', 'sl', 'srl', 'spa', 'sapi', 'cv', 'sa de cv',
  'bv', 'nv', 'vof', 'ab', 'oy', 'oyj', 'as', 'asa', 'aps', 'a s', 'kk', 'kabushiki kaisha', 'pty', 'pty ltd', 'pte', 'pte ltd', 'pvt', 'pvt ltd',
  'private limited', 'ltda', 'dac', 'sp z oo', 'sp z o o', 'zrt', 'kft', 'doo', 'sro', 'oü', 'holdings', 'holding',
];
// Longest first, so that "pty ltd" goes before "ltd".
const SUFFIX_PATTERN = new RegExp(`(?:\\s(?:${[...new Set(LEGAL_FORMS)].sort((a, b) => b.length - a.length).map((f) => f.replace(/ /g, '\\s')).join('|')}))+$`, 'u');

/** A company name for display: whitespace collapsed, otherwise as written. */
export function cleanCompanyName(value: string): string | undefined {
  const text = value.normalize('NFC').replace(/[\s\u00a0]+/g, ' ').trim();
  return text === '' ? undefined : text;
}

/**
 * The key two spellings of one company share, for matching and dedupe (never shown):
 * lower-case ASCII, `&` as `and`, punctuation and a leading "The" dropped, legal forms
 * (Inc, LLC, GmbH, S.A., Pty Ltd, ...) removed from the end.
 *
 * @example
 * companyMatchKey('The Acme Company, Inc.') === companyMatchKey('ACME Co') // 'acme'
 */
export function companyMatchKey(value: string): string | undefined {
  const base = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    // S.A., B.V., G.m.b.H.: dotted abbreviations become one word before punctuation goes.
    .replace(/\b((?:[a-z]\.){2,})/g, (m) => m.replace(/\./g, ''))
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^the\s/, '');
  const stripped = ` ${base}`.replace(SUFFIX_PATTERN, '').trim();
  // A name that is only a legal form ("Holding AG" -> "") keeps its words.
  const key = (stripped === '' ? base : stripped).replace(/\s+/g, ' ');
  return key === '' ? undefined : key;
}
