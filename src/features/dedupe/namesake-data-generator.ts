import type { GeneratedContact } from './marketing-data-generator.ts';
import { nicknamesOf } from './engine/nicknames.ts';
import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

// Contacts as a B2B marketing database holds them, and as the demo workspace seeds them:
// a few large accounts and many small ones, each with one e-mail convention (first.last,
// flast, ...), where the second J. Smith gets jsmith2@; names from small pools, so that
// namesakes at one company (same surname, often the same first name) are common; random
// phones on some contacts; personal free-mail addresses on a few. Duplicates are the same
// person again WITHOUT a userId (a CSV import, an anonymous form fill): a personal address,
// a nickname, an abbreviated or misspelt name, swapped names, a company-name variant, an
// alias at the same domain. A job change (new company, new work address) is a new contact.
// Ground truth: records with the same `entity` are one contact.

export interface NamesakeGeneratorOptions {
  /** People (each gets one record, some get duplicates). */
  people: number;
  seed?: number;
  /** Share of people who come back as a duplicate record. Default 0.08. */
  duplicateRate?: number;
  /** Share of people who also appear at a second company. Default 0.03. */
  jobChangeRate?: number;
}

const FIRST = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara',
  'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'christopher', 'karen', 'daniel', 'lisa', 'matthew', 'nancy',
  'anthony', 'sandra', 'mark', 'ashley', 'steven', 'emily', 'andrew', 'michelle', 'joshua', 'amanda', 'kevin', 'melissa',
  'priya', 'arjun', 'wei', 'mei', 'hiroshi', 'yuki', 'lukas', 'anna', 'felix', 'sophie', 'camille', 'lars', 'ingrid',
  'diego', 'lucia', 'mateo', 'sofia', 'oliver', 'charlotte', 'jack', 'amelia', 'fatima', 'omar', 'kwame', 'amara', 'grace',
];
const LAST = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez',
  'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris',
  'clark', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill',
  'patel', 'sharma', 'singh', 'kumar', 'chen', 'wang', 'zhang', 'liu', 'li', 'tanaka', 'sato', 'kim', 'park', 'muller',
  'schmidt', 'fischer', 'weber', 'meyer', 'dubois', 'moreau', 'larsson', 'jansen', 'silva', 'santos', 'murphy', 'kelly', 'okafor', 'rossi',
];
const HEADS = ['North', 'Blue', 'Bright', 'Silver', 'Iron', 'Clear', 'West', 'Deep', 'Swift', 'Green', 'Stone', 'Oak', 'Cedar', 'Fox', 'Storm', 'River', 'Summit', 'Ember'];
const BODIES = ['gate', 'bridge', 'field', 'wood', 'point', 'view', 'way', 'line', 'port', 'haven', 'ford', 'light', 'works', 'core', 'mill', 'bay'];
const TAILS = ['Software', 'Capital', 'Health', 'Industries', 'Retail', 'Media', 'Logistics', 'Energy', 'Consulting', 'Labs'];
const LEGAL = ['Inc.', 'LLC', 'Ltd', 'GmbH', 'Corp.'];
const FREE_MAIL = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com'];
const FORMATS = ['first.last', 'first.last', 'first.last', 'flast', 'flast', 'first', 'firstl', 'first_last', 'last.first'] as const;
type EmailFormat = (typeof FORMATS)[number];

interface Company {
  name: string;
  domain: string;
  format: EmailFormat;
  usedLocalParts: Set<string>;
}

interface Person {
  first: string;
  last: string;
  company: Company;
  email: string;
  phone: string | null;
  personalEmail: string;
}

const title = (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase());

function localPart(format: EmailFormat, first: string, last: string): string {
  switch (format) {
    case 'first.last': return `${first}.${last}`;
    case 'flast': return `${first[0]}${last}`;
    case 'first': return first;
    case 'firstl': return `${first}${last[0]}`;
    case 'first_last': return `${first}_${last}`;
    case 'last.first': return `${last}.${first}`;
  }
}

/** A new mailbox at the company: the second of a name gets a number, as IT departments do. */
function workEmail(company: Company, first: string, last: string): string {
  const base = localPart(company.format, first, last);
  let local = base;
  for (let n = 2; company.usedLocalParts.has(local); n++) local = `${base}${n}`;
  company.usedLocalParts.add(local);
  return `${local}@${company.domain}`;
}

function makeCompanies(random: SeededRandom, people: number): Array<{ company: Company; weight: number }> {
  const count = Math.max(4, Math.ceil(people / 40));
  return Array.from({ length: count }, (_, i) => {
    const name = `${random.pick(HEADS)}${random.pick(BODIES)} ${random.pick(TAILS)}${i >= HEADS.length ? ` ${i}` : ''}`;
    const company: Company = { name, domain: `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}.com`, format: random.pick(FORMATS), usedLocalParts: new Set() };
    // Zipf-like sizes: the first accounts hold many contacts, as enterprise accounts do.
    return { company, weight: 1 / (i + 1) };
  });
}

const randomPhone = (random: SeededRandom) => `+1 ${random.int(201, 989)} ${random.int(200, 999)} ${random.int(1000, 9999)}`;

function makePerson(random: SeededRandom, companies: ReturnType<typeof makeCompanies>, index: number): Person {
  const first = random.pick(FIRST);
  const last = random.pick(LAST);
  const company = random.weighted(companies.map((c) => [c.company, c.weight] as const));
  const phone = random.chance(0.4) ? randomPhone(random) : null;
  const personalEmail = `${first}${last[0]}${index}@${random.pick(FREE_MAIL)}`;
  const email = random.chance(0.08) ? personalEmail : workEmail(company, first, last);
  return { first, last, company, email, phone, personalEmail };
}

function recordOf(p: Person, id: string, entity: string, variant: string): GeneratedContact {
  return { id, entity, variant, values: { first_name: title(p.first), last_name: title(p.last), email: p.email, phone: p.phone, company: p.company.name, city: null } };
}

type Variant = (random: SeededRandom, r: GeneratedContact, p: Person) => void;

// What the same person looks like when they come back without a userId.
const VARIANTS: Record<string, Variant> = {
  'personal address': (random, r, p) => {
    r.values = { ...r.values, email: p.personalEmail, company: random.chance(0.5) ? r.values.company : null };
  },
  nickname: (random, r, p) => {
    const nicks = nicknamesOf(p.first);
    r.values = { ...r.values, first_name: title(nicks.length > 0 ? random.pick(nicks) : p.first), email: p.personalEmail };
  },
  'abbreviated first name': (_, r, p) => {
    r.values = { ...r.values, first_name: title(p.first.slice(0, 3)), email: p.personalEmail, company: null };
  },
  'misspelt surname': (_, r, p) => {
    const l = p.last;
    r.values = { ...r.values, last_name: title(l.length > 3 ? `${l.slice(0, -2)}${l.slice(-1)}${l.slice(-2, -1)}` : `${l}${l.slice(-1)}`), email: p.personalEmail };
  },
  'swapped names': (_, r, p) => {
    r.values = { ...r.values, first_name: title(p.last).toUpperCase(), last_name: title(p.first).toUpperCase(), email: p.personalEmail };
  },
  'company variant, no email': (random, r, p) => {
    r.values = { ...r.values, company: `${p.company.name} ${random.pick(LEGAL)}`, email: null, phone: p.phone ?? randomPhone(random) };
  },
  'alias at the same domain': (_, r, p) => {
    const alias = p.company.format === 'first.last' ? `${p.first[0]}${p.last}` : `${p.first}.${p.last}`;
    if (p.email.endsWith(`@${p.company.domain}`)) r.values = { ...r.values, email: `${alias}@${p.company.domain}` };
    else r.values = { ...r.values, email: p.personalEmail };
  },
};
const VARIANT_NAMES = Object.keys(VARIANTS);

/**
 * A seeded list of B2B contacts full of namesakes at one company, with labelled
 * duplicates. Same options, same list.
 */
export function generateNamesakeContacts(options: NamesakeGeneratorOptions): GeneratedContact[] {
  const random = createSeededRandom(options.seed ?? 3);
  const companies = makeCompanies(random, options.people);
  const out: GeneratedContact[] = [];
  for (let i = 0; i < options.people; i++) {
    const person = makePerson(random, companies, i);
    const entity = `p${i}`;
    out.push(recordOf(person, `n${out.length}`, entity, 'original'));
    if (random.chance(options.duplicateRate ?? 0.08)) {
      const name = random.pick(VARIANT_NAMES);
      const copy = recordOf(person, `n${out.length}`, entity, name);
      VARIANTS[name]!(random, copy, person);
      out.push(copy);
    }
    if (random.chance(options.jobChangeRate ?? 0.03)) {
      const others = companies.filter((c) => c.company !== person.company);
      const company = random.pick(others).company;
      const moved: Person = { ...person, company, email: workEmail(company, person.first, person.last), phone: random.chance(0.4) ? randomPhone(random) : null };
      out.push(recordOf(moved, `n${out.length}`, `${entity}-job2`, 'job change'));
    }
  }
  return out;
}
