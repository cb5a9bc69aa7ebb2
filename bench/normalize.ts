// `npm run bench:normalize [-- --records 100000]`
// What normalization and enrichment cost per record on the way in, against a baseline
// that only trims (what extractContactFields did before normalization), all in one run
// on the same records: identify traits from the demo generator, made messy the way real
// forms and CSVs are (ALL-CAPS names, national phone numbers, country names, padding).
import { parseArgs } from 'node:util';
import { extractContactFields } from '../src/features/contacts/index.ts';
import { demoEventBatches } from '../src/features/demo/index.ts';
import { enrichContact, type EnrichmentSettings } from '../src/features/enrichment/index.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const RECORDS = Number(values.records);
const ROUNDS = Number(values.rounds);

const COUNTRY_NAMES: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Deutschland', FR: 'France', NL: 'Netherlands', ES: 'España' };

/** The demo's clean traits, made messy for 3 records in 4 (deterministically). */
function messy(traits: Record<string, unknown>, i: number): Record<string, unknown> {
  const t = { ...traits };
  if (i % 4 === 0) return t;
  if (typeof t.firstName === 'string') t.firstName = i % 2 ? t.firstName.toUpperCase() : `  ${t.firstName.toLowerCase()} `;
  if (typeof t.lastName === 'string' && i % 3 === 0) t.lastName = t.lastName.toUpperCase();
  if (typeof t.email === 'string') t.email = i % 2 ? ` ${t.email.replace(/@.*/, (d) => d.toUpperCase())}` : t.email;
  if (typeof t.country === 'string' && COUNTRY_NAMES[t.country] && i % 2) t.country = COUNTRY_NAMES[t.country];
  if (typeof t.title === 'string' && i % 5 === 0) t.title = t.title.toUpperCase();
  // A national number in the contact's country instead of +CC.
  if (typeof t.phone === 'string' && i % 2) t.phone = t.phone.replace(/^\+\d+\s/, '0');
  return t;
}

const records: Array<Record<string, unknown>> = [];
outer: for (const batch of demoEventBatches({ seed: 42, maxEvents: RECORDS * 40, batchSize: 1000 })) {
  for (const event of batch) {
    if (event.type !== 'identify' || typeof event.traits?.firstName !== 'string') continue;
    records.push(messy(event.traits, records.length));
    if (records.length >= RECORDS) break outer;
  }
}

// The baseline: what the trait extraction did before (trim, cut at 500, lower-case e-mail).
function trimOnly(traits: Record<string, unknown>) {
  const fields: Record<string, string> = {};
  for (const key of ['email', 'phone', 'firstName', 'lastName', 'title', 'company', 'country', 'timezone']) {
    const v = traits[key];
    if (typeof v === 'string' && v.trim() !== '') fields[key] = key === 'email' ? v.trim().toLowerCase() : v.trim().slice(0, 500);
  }
  return fields;
}

const settings: EnrichmentSettings = { createAccountsFromEmailDomain: false, extraFreeMailDomains: ['gmail.example', 'outlook.example', 'yahoo.example', 'icloud.example', 'proton.example'] };
let sink = 0;
const stages: Array<[string, (t: Record<string, unknown>) => void]> = [
  ['baseline: trim only', (t) => (sink += Object.keys(trimOnly(t)).length)],
  ['normalize + validate (extractContactFields)', (t) => (sink += extractContactFields(t).issues.length)],
  ['normalize + validate + enrich (pure)', (t) => {
    const { fields } = extractContactFields(t);
    const e = enrichContact({ id: '', email: fields.email ?? null, phone: fields.phone ?? null, title: fields.title ?? null, country: fields.country ?? null, timezone: fields.timezone ?? null }, settings);
    sink += Object.keys(e.traits).length;
  }],
];

// Best of ROUNDS per stage, stages interleaved so that machine load hits each alike.
const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, run] of stages) {
    const started = performance.now();
    for (const record of records) run(record);
    const perSec = records.length / ((performance.now() - started) / 1000);
    best.set(name, Math.max(best.get(name) ?? 0, perSec));
  }
}

let issues = 0;
for (const record of records) issues += extractContactFields(record).issues.length;
const baseline = best.get(stages[0]![0])!;
const n = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(`${n(records.length)} identify records (3 in 4 made messy), best of ${ROUNDS} rounds; ${n(issues)} validation issues found; checksum ${sink}`);
console.log('| stage | records/s | vs baseline | µs per record |');
console.log('| --- | ---: | ---: | ---: |');
for (const [name] of stages) {
  const perSec = best.get(name)!;
  console.log(`| ${name} | ${n(perSec)} | ${(perSec / baseline).toFixed(3)}x | ${(1e6 / perSec).toFixed(1)} |`);
}
