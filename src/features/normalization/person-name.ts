// Honorifics and post-nominals people type into name fields. Kept apart from the name so
// that "Dr. Ada" and "Ada" are one first name; the honorific is reported, not lost.
const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame', 'herr', 'frau', 'mme', 'mlle', 'm', 'sr', 'sra', 'srta', 'dott', 'ing']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'mba', 'esq']);
// Surname particles that stay lower-case inside a name (Ludwig van Beethoven, Vincent de Paul).
const PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'del', 'della', 'di', 'da', 'dos', 'das', 'du', 'la', 'le', 'ter', 'ten', 'zu', 'bin', 'ibn', 'al']);

export interface CleanName {
  value: string;
  /** `Dr`, `Prof`, ... when the field started with one. */
  honorific?: string;
  /** `Jr`, `PhD`, ... when the field ended with one. */
  suffix?: string;
}

function isMonocase(text: string): boolean {
  return text === text.toUpperCase() || text === text.toLowerCase();
}

function capitalizeWord(word: string): string {
  // O'Brien, D'Angelo: the letter after the apostrophe is capital too.
  const apostrophe = /^([a-z])['’]([a-z].*)$/u.exec(word);
  if (apostrophe) return `${apostrophe[1]!.toUpperCase()}'${capitalizeWord(apostrophe[2]!)}`;
  // McDonald, MacArthur is ambiguous (Mack, Macey), so only Mc is recased.
  const mc = /^mc([a-z].+)$/u.exec(word);
  if (mc) return `Mc${mc[1]![0]!.toUpperCase()}${mc[1]!.slice(1)}`;
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * Casing for names typed all upper- or all lower-case (`JOHN O'BRIEN`, `ludwig van
 * beethoven`); mixed-case input is kept as the person wrote it (`DeShawn`, `McKenzie`).
 */
export function recasePersonName(text: string, position: 'first' | 'last' | 'full'): string {
  if (!isMonocase(text)) return text;
  const words = text.toLowerCase().split(' ');
  return words
    .map((word, i) => {
      // A particle at the start of a last name stays lower-case ("van Dijk"); in a full
      // name the first word is a given name and is capitalized.
      if (PARTICLES.has(word) && words.length > 1 && (i > 0 || position === 'last')) return word;
      return word.split('-').map(capitalizeWord).join('-');
    })
    .join(' ');
}

/** Trims, collapses whitespace, strips honorifics and suffixes, and fixes casing. */
export function cleanPersonName(value: string, position: 'first' | 'last' | 'full'): CleanName | undefined {
  let words = value.normalize('NFC').replace(/[\s\u00a0]+/g, ' ').trim().replace(/^[,.;\s]+|[,;\s]+$/g, '').split(' ').filter(Boolean);
  const result: Partial<CleanName> = {};
  const bare = (w: string) => w.toLowerCase().replace(/[.,]/g, '');
  if (words.length > 1 && position !== 'last' && HONORIFICS.has(bare(words[0]!))) result.honorific = capitalizeWord(bare(words.shift()!));
  if (words.length > 1 && position !== 'first' && SUFFIXES.has(bare(words.at(-1)!))) result.suffix = words.pop()!.replace(/[,.]$/, '');
  words = words.map((w, i) => (i === words.length - 1 ? w.replace(/,$/, '') : w));
  if (words.length === 0) return undefined;
  return { ...result, value: recasePersonName(words.join(' '), position) };
}

// Acronyms that stay upper-case in job titles, and small words that stay lower-case.
const TITLE_ACRONYMS = new Set(['ceo', 'cfo', 'cmo', 'cto', 'cio', 'coo', 'cro', 'cpo', 'ciso', 'cdo', 'vp', 'svp', 'evp', 'avp', 'hr', 'it', 'seo', 'sem', 'ppc', 'crm', 'pr', 'ui', 'ux', 'qa', 'emea', 'apac', 'amer', 'latam', 'b2b', 'b2c', 'gtm', 'sdr', 'bdr', 'smb', 'abm', 'ai', 'ml', 'r&d', 'ops']);
const TITLE_SMALL = new Set(['of', 'and', 'for', 'the', 'in', 'to', 'at', 'a', 'an', 'on', '&']);

/** A job title with whitespace collapsed; monocase titles recased (`VP OF MARKETING` -> `VP of Marketing`). */
export function cleanJobTitle(value: string): string | undefined {
  const text = value.normalize('NFC').replace(/[\s\u00a0]+/g, ' ').trim();
  if (text === '') return undefined;
  if (!isMonocase(text)) return text;
  return text
    .toLowerCase()
    .split(' ')
    .map((word, i) => {
      const bare = word.replace(/[^\p{L}&]/gu, '');
      if (TITLE_ACRONYMS.has(bare) && bare !== 'ops') return word.toUpperCase();
      if (i > 0 && TITLE_SMALL.has(word)) return word;
      return word.split(/([-/])/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
    })
    .join(' ');
}
