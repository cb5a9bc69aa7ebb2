import type { InputRecord } from './engine/field-spec.ts';
import { nicknamesOf } from './engine/nicknames.ts';
import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

// A generator of marketing contact lists with the duplicates real lists have: nicknames,
// swapped first/last names, a free-mail address beside the work one, company-name variants,
// reformatted phones, typos; and the traps: job changes and namesakes.
//
// Job changes: the same person at a new company, with a new work address and desk phone,
// is a NEW contact, not a duplicate. A B2B contact is a person at an account: the old
// record keeps its history, opportunities and consent for the old account, and merging
// them would move that into the new company. The generator labels them as different
// entities, and the model must keep them apart (same name, nothing else shared).

export interface GeneratedContact extends InputRecord {
  /** Ground truth: records with the same entity are the same contact. */
  entity: string;
  /** What was done to this record ('original', 'nickname,swapped', 'job change', ...). */
  variant: string;
}

export interface GeneratorOptions {
  people: number;
  seed?: number;
  /** Share of people who get one or more duplicate records. */
  duplicateRate?: number;
  /** Share of people who also appear at a second company. */
  jobChangeRate?: number;
}

const GIVEN = [
  'robert', 'william', 'elizabeth', 'katherine', 'michael', 'jennifer', 'christopher', 'margaret', 'richard', 'thomas',
  'james', 'patricia', 'daniel', 'jessica', 'matthew', 'samantha', 'andrew', 'rebecca', 'joseph', 'victoria',
  'anna', 'lukas', 'sofia', 'mateo', 'priya', 'arjun', 'wei', 'mei', 'yuki', 'kenji', 'ingrid', 'lars', 'camille',
  'louis', 'fatima', 'omar', 'kwame', 'amara', 'noah', 'zoe', 'olivia', 'ethan', 'grace', 'laura', 'diego', 'lucia',
];
const SYLLABLES = ['an', 'ber', 'cal', 'dor', 'en', 'far', 'gil', 'har', 'is', 'jen', 'kov', 'lan', 'mor', 'nes', 'ol', 'par', 'quin', 'ros', 'sten', 'tal', 'ur', 'ven', 'wal', 'yor', 'zel', 'bright', 'dale', 'ford', 'ham', 'ley', 'ton', 'wick'];
const FAMILY = ['smith', 'johnson', 'garcia', 'miller', 'nguyen', 'patel', 'kim', 'muller', 'schmidt', 'rossi', 'silva', 'murphy', 'okafor', 'tanaka', 'chen'];
const COMPANY_HEADS = ['North', 'Blue', 'Iron', 'Bright', 'Silver', 'Green', 'Summit', 'Cedar', 'Apex', 'Harbor', 'Nova', 'Pioneer', 'Vertex', 'Orbit', 'Granite'];
const COMPANY_BODIES = ['wind', 'stack', 'field', 'works', 'point', 'bridge', 'lake', 'forge', 'path', 'light', 'gate', 'stone'];
const COMPANY_TAILS = ['Analytics', 'Systems', 'Logistics', 'Health', 'Software', 'Foods', 'Energy', 'Capital', 'Labs', 'Media'];
const LEGAL = ['Inc.', 'Inc', 'GmbH', 'LLC', 'Ltd', 'Corp.', 'S.A.', 'B.V.'];
const FREE_MAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com'];
const CITIES = ['Berlin', 'London', 'Austin', 'Paris', 'Toronto', 'Madrid', 'Chicago', 'Munich', 'Dublin', 'Lisbon'];

const createRandom = createSeededRandom;
type Random = SeededRandom;

interface Company {
  name: string;
  domain: string;
}

interface Person {
  given: string;
  family: string;
  company: Company;
  phone: string;
  city: string;
  personalEmail: string;
}

const title = (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase());

function makeCompany(random: Random, index: number): Company {
  const head = random.pick(COMPANY_HEADS);
  const body = random.pick(COMPANY_BODIES);
  const tail = random.pick(COMPANY_TAILS);
  const name = `${head}${body} ${tail}${index > 0 ? ` ${index}` : ''}`;
  return { name, domain: `${head}${body}${tail}${index}`.toLowerCase().replace(/[^a-z0-9]/g, '') + '.com' };
}

function makeFamilyName(random: Random): string {
  // Mostly synthetic surnames (a large pool, like a real list), some very common ones (namesakes).
  if (random.chance(0.15)) return random.pick(FAMILY);
  return random.pick(SYLLABLES) + random.pick(SYLLABLES) + (random.chance(0.5) ? random.pick(SYLLABLES) : '');
}

function makePhone(random: Random): string {
  return `+1${random.int(201, 989)}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
}

function makePerson(random: Random, companies: Company[], index: number): Person {
  const given = random.pick(GIVEN);
  const family = makeFamilyName(random);
  return {
    given,
    family,
    company: random.pick(companies),
    phone: makePhone(random),
    city: random.pick(CITIES),
    personalEmail: `${given}.${family}${random.int(1, 99)}${index % 10}@${random.pick(FREE_MAIL)}`,
  };
}

function typo(random: Random, value: string): string {
  if (value.length < 3) return value;
  const i = random.int(1, value.length - 2);
  const letter = String.fromCharCode(97 + random.int(0, 25));
  return random.chance(0.5) ? value.slice(0, i) + letter + value.slice(i + 1) : value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2);
}

function companyVariant(random: Random, name: string): string {
  const variants = [`${name} ${random.pick(LEGAL)}`, `${name}, ${random.pick(LEGAL)}`, name.toUpperCase(), name.toLowerCase(), `The ${name}`, name.replace(' ', '-')];
  return random.pick(variants);
}

function phoneVariant(random: Random, phone: string): string {
  const d = phone.slice(2);
  return random.pick([`(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `+1 ${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`, `1-${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`]);
}

function recordOf(person: Person, id: string, entity: string): GeneratedContact {
  return {
    id,
    entity,
    variant: 'original',
    values: {
      first_name: title(person.given),
      last_name: title(person.family),
      email: `${person.given}.${person.family}@${person.company.domain}`,
      phone: person.phone,
      company: person.company.name,
      city: person.city,
    },
  };
}

type Perturbation = (random: Random, r: GeneratedContact, person: Person) => void;

const PERTURBATIONS: Record<string, Perturbation> = {
  nickname: (random, r, p) => {
    const nick = nicknamesOf(p.given);
    if (nick.length > 0) r.values = { ...r.values, first_name: title(random.pick(nick)) };
  },
  swapped: (_, r) => {
    r.values = { ...r.values, first_name: r.values.last_name, last_name: r.values.first_name };
  },
  'typo in name': (random, r) => {
    r.values = { ...r.values, last_name: title(typo(random, String(r.values.last_name).toLowerCase())) };
  },
  'free mail': (random, r, p) => {
    r.values = { ...r.values, email: p.personalEmail, company: random.chance(0.5) ? null : r.values.company };
  },
  'company variant': (random, r, p) => {
    r.values = { ...r.values, company: companyVariant(random, p.company.name) };
  },
  'phone format': (random, r, p) => {
    r.values = { ...r.values, phone: phoneVariant(random, p.phone) };
  },
  'no phone': (_, r) => {
    r.values = { ...r.values, phone: null };
  },
  'upper case': (_, r) => {
    r.values = Object.fromEntries(Object.entries(r.values).map(([k, v]) => [k, typeof v === 'string' && k !== 'email' ? v.toUpperCase() : v]));
  },
};
const PERTURBATION_NAMES = Object.keys(PERTURBATIONS);

/**
 * A seeded list of contacts with labelled duplicates. Same options, same list: the F1 in
 * the tests and the bench is reproducible.
 */
export function generateMarketingContacts(options: GeneratorOptions): GeneratedContact[] {
  const random = createRandom(options.seed ?? 7);
  const companies = Array.from({ length: Math.max(5, Math.ceil(options.people / 25)) }, (_, i) => makeCompany(random, i));
  const out: GeneratedContact[] = [];
  for (let i = 0; i < options.people; i++) {
    const person = makePerson(random, companies, i);
    const entity = `p${i}`;
    out.push(recordOf(person, `c${out.length}`, entity));
    if (random.chance(options.duplicateRate ?? 0.3)) {
      const copies = random.chance(0.25) ? 2 : 1;
      for (let k = 0; k < copies; k++) {
        const copy = recordOf(person, `c${out.length}`, entity);
        const applied = new Set<string>();
        const count = random.int(1, 3);
        while (applied.size < count) applied.add(random.pick(PERTURBATION_NAMES));
        for (const name of applied) PERTURBATIONS[name]!(random, copy, person);
        copy.variant = [...applied].join(',');
        out.push(copy);
      }
    }
    if (random.chance(options.jobChangeRate ?? 0.05)) {
      const moved: Person = { ...person, company: random.pick(companies.filter((c) => c !== person.company)), phone: makePhone(random) };
      out.push({ ...recordOf(moved, `c${out.length}`, `${entity}-job2`), variant: 'job change' });
    }
  }
  return out;
}
