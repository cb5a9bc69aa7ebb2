import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FieldSpec, InputRecord } from '../src/features/dedupe/index.ts';

/** A labelled data set: records, the fields to compare, and the true duplicate pairs. */
export interface LabelledSet {
  name: string;
  records: InputRecord[];
  fields: FieldSpec[];
  truePairs: Set<string>;
  linkOnly: boolean;
}

export const DATASETS_DIR = process.env.KEEL_DATASETS_DIR ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets');

export const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path), { columns: true, trim: true, skip_empty_lines: true, relax_quotes: true }) as Array<Record<string, string>>;
}

/** Every pair of records within each group of equal entity id. */
function pairsWithinGroups(rows: Array<{ id: string; entity: string }>): Set<string> {
  const groups = new Map<string, string[]>();
  for (const r of rows) groups.set(r.entity, [...(groups.get(r.entity) ?? []), r.id]);
  const pairs = new Set<string>();
  for (const ids of groups.values()) for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) pairs.add(pairKey(ids[i]!, ids[j]!));
  return pairs;
}

// soc_sec_id is left out on purpose: it is nearly a unique key, which marketing data never has.
const FEBRL_FIELDS: FieldSpec[] = [
  { name: 'given_name', kind: 'given_name' },
  { name: 'surname', kind: 'family_name' },
  { name: 'street_number', kind: 'code' },
  { name: 'address_1', kind: 'address' },
  { name: 'address_2', kind: 'address' },
  { name: 'suburb', kind: 'name' },
  { name: 'postcode', kind: 'code' },
  { name: 'state', kind: 'exact' },
  { name: 'date_of_birth', kind: 'code' },
];

const febrlRecord = (row: Record<string, string>, source = 0): InputRecord => ({ id: row.rec_id!, values: row, source });
const febrlEntity = (id: string) => /^rec-(\d+)-/.exec(id)![1]!;

export function loadFebrl(file: 'dataset1' | 'dataset2' | 'dataset3'): LabelledSet {
  const rows = readCsv(join(DATASETS_DIR, 'febrl', `${file}.csv`));
  const records = rows.map((r) => febrlRecord(r));
  return { name: `febrl ${file.replace('dataset', '')}`, records, fields: FEBRL_FIELDS, linkOnly: false, truePairs: pairsWithinGroups(records.map((r) => ({ id: r.id, entity: febrlEntity(r.id) }))) };
}

export function loadFebrl4(): LabelledSet {
  const a = readCsv(join(DATASETS_DIR, 'febrl', 'dataset4a.csv')).map((r) => febrlRecord(r, 0));
  const b = readCsv(join(DATASETS_DIR, 'febrl', 'dataset4b.csv')).map((r) => febrlRecord(r, 1));
  const truePairs = new Set(readCsv(join(DATASETS_DIR, 'febrl', 'dataset4_true_pairs.csv')).map((r) => pairKey(r.rec_id_a!, r.rec_id_b!)));
  return { name: 'febrl 4 (link 4a-4b)', records: [...a, ...b], fields: FEBRL_FIELDS, linkOnly: true, truePairs };
}

export function loadOrganisations(): LabelledSet {
  const rows = readCsv(join(DATASETS_DIR, 'dedupe-csv-example', 'csv_example_input_with_true_ids.csv'));
  const records = rows.map((r) => ({ id: r.Id!, values: r }));
  const fields: FieldSpec[] = [
    { name: 'Site name', kind: 'name' },
    { name: 'Address', kind: 'address' },
    { name: 'Zip', kind: 'code' },
    { name: 'Phone', kind: 'phone' },
  ];
  return { name: 'organisations (dedupe csv_example)', records, fields, linkOnly: false, truePairs: pairsWithinGroups(rows.map((r) => ({ id: r.Id!, entity: r['True Id']! }))) };
}

export function loadRestaurants(): LabelledSet {
  const rows = readCsv(join(DATASETS_DIR, 'restaurants-fodors-zagat', 'restaurant-nophone-training.csv'));
  const records = rows.map((r, i) => ({ id: String(i), values: r }));
  const fields: FieldSpec[] = [
    { name: 'name', kind: 'name' },
    { name: 'address', kind: 'address' },
    { name: 'city', kind: 'exact' },
    { name: 'cuisine', kind: 'exact' },
  ];
  const entity = (r: Record<string, string>) => r.unique_id!.replace(/'/g, '');
  return { name: 'restaurants (Fodor\'s/Zagat)', records, fields, linkOnly: false, truePairs: pairsWithinGroups(rows.map((r, i) => ({ id: String(i), entity: entity(r) }))) };
}
