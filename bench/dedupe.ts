// `npm run bench:dedupe [-- --speed-records 1000000 --generator-people 20000 --namesake-people 5000 --skip-speed --skip-accuracy]`
// Accuracy (precision, recall, F1 of the pairs scored >= 0.5) on the labelled sets in
// ../shared/datasets and on the marketing-data generator; then speed: N generated contacts
// deduplicated in memory, beside a baseline measured in the same run (normalizing the same
// records and nothing else), with the candidate pairs compared to all pairs and peak memory.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONTACT_MATCH_FIELDS, generateMarketingContacts, generateNamesakeContacts, matchRecords, selectAutoMergePairs, selectScoredPairs, withWorkDomain, type InputRecord } from '../src/features/dedupe/index.ts';
import { prepareRecords } from '../src/features/dedupe/engine/prepare-records.ts';
import { loadFebrl, loadFebrl4, loadOrganisations, loadRestaurants, pairKey, type LabelledSet } from './dedupe-datasets.ts';

const { values } = parseArgs({
  options: {
    'speed-records': { type: 'string', default: '1000000' },
    'generator-people': { type: 'string', default: '20000' },
    'namesake-people': { type: 'string', default: '5000' },
    'skip-speed': { type: 'boolean', default: false },
    'skip-accuracy': { type: 'boolean', default: false },
    threshold: { type: 'string', default: '0.5' },
    // Sorted-neighbourhood width in blocks over the size cap (0: skip them, as before).
    neighbours: { type: 'string', default: '3' },
  },
});
const THRESHOLD = Number(values.threshold);

interface AccuracyRow {
  set: string;
  records: number;
  truePairs: number;
  candidatePairs: number;
  allPairs: number;
  blockingRecall: number;
  precision: number;
  recall: number;
  f1: number;
  /** Pairs dedupe would merge without review at the default threshold (0.99), and their precision. */
  autoMerged: number;
  autoMergePrecision: number;
  em: string;
  millis: number;
}

function measureAccuracy(set: LabelledSet): AccuracyRow {
  const started = performance.now();
  const run = matchRecords(set.records, set.fields, { linkOnly: set.linkOnly, neighbours: Number(values.neighbours) });
  const predicted = selectScoredPairs(run, THRESHOLD);
  const millis = performance.now() - started;
  const ids = run.records.ids;
  let blocked = 0;
  for (let p = 0; p < run.count; p++) if (set.truePairs.has(pairKey(ids[run.left[p]!]!, ids[run.right[p]!]!))) blocked++;
  const tp = predicted.filter((p) => set.truePairs.has(pairKey(ids[p.a]!, ids[p.b]!))).length;
  const auto = selectAutoMergePairs(predicted, 0.99);
  const autoTp = auto.filter((p) => set.truePairs.has(pairKey(ids[p.a]!, ids[p.b]!))).length;
  const precision = predicted.length === 0 ? 0 : tp / predicted.length;
  const recall = tp / set.truePairs.size;
  return {
    set: set.name,
    records: set.records.length,
    truePairs: set.truePairs.size,
    candidatePairs: run.stats.candidatePairs,
    allPairs: run.stats.allPairs,
    blockingRecall: blocked / set.truePairs.size,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    autoMerged: auto.length,
    autoMergePrecision: auto.length === 0 ? 1 : autoTp / auto.length,
    em: run.stats.em,
    millis,
  };
}

function generatorSet(people: number, seed: number, kind: 'marketing' | 'namesakes' = 'marketing'): LabelledSet {
  const generated = kind === 'marketing' ? generateMarketingContacts({ people, seed }) : generateNamesakeContacts({ people, seed });
  const groups = new Map<string, string[]>();
  for (const r of generated) groups.set(r.entity, [...(groups.get(r.entity) ?? []), r.id]);
  const truePairs = new Set<string>();
  for (const ids of groups.values()) for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) truePairs.add(pairKey(ids[i]!, ids[j]!));
  return {
    name: `${kind === 'marketing' ? 'marketing generator' : 'namesakes at one company (generator)'} (${people.toLocaleString('en-US')} people)`,
    records: generated.map((r) => ({ id: r.id, values: withWorkDomain(r.values) })),
    fields: [...CONTACT_MATCH_FIELDS],
    truePairs,
    linkOnly: false,
  };
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;

function printAccuracy(rows: AccuracyRow[]): void {
  console.log(`\nAccuracy (pairs with match probability >= ${THRESHOLD}; soc_sec_id left out of FEBRL)\n`);
  console.log('| set | records | true pairs | candidate pairs | all pairs | candidates / all | blocking recall | precision | recall | F1 | auto-merged (>= 0.99) | auto-merge precision | EM | time (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.set} | ${fmt(r.records)} | ${fmt(r.truePairs)} | ${fmt(r.candidatePairs)} | ${fmt(r.allPairs)} | ${pct(r.candidatePairs / r.allPairs)} | ${r.blockingRecall.toFixed(4)} | ${r.precision.toFixed(4)} | ${r.recall.toFixed(4)} | **${r.f1.toFixed(4)}** | ${fmt(r.autoMerged)} | ${r.autoMergePrecision.toFixed(4)} | ${r.em} | ${fmt(r.millis)} |`,
    );
  }
}

interface SpeedResult {
  records: number;
  baselineSeconds: number;
  totalSeconds: number;
  /** CPU time of this process for the dedupe (user + system): what other processes on the machine cannot inflate. */
  totalCpuSeconds: number;
  baselineCpuSeconds: number;
  ratio: number;
  candidatePairs: number;
  allPairs: number;
  pairsAtThreshold: number;
  /** Against the generator's truth (records of one person): what blocking and scoring find at this scale. */
  truePairs: number;
  blockingRecall: number;
  precision: number;
  recall: number;
  /** Blocks over the size cap, skipped per pass, with the records in them. */
  skipped: Array<{ pass: string; blocks: number; records: number; neighbourPairs: number }>;
  phases: Record<string, number>;
  peakRssMb: number;
  em: string;
}

function measureSpeed(targetRecords: number): SpeedResult {
  // ~1.42 records per person (duplicates, job changes): enough people for the target.
  const generated = generateMarketingContacts({ people: Math.ceil(targetRecords / 1.42), seed: 99 });
  const records: InputRecord[] = generated.slice(0, targetRecords).map((r) => ({ id: r.id, values: withWorkDomain(r.values) }));
  // The person of each record as a small integer: a pair is true when both have the same.
  const personIds = new Map<string, number>();
  const personOf = new Int32Array(records.length);
  const groupSize: number[] = [];
  for (let i = 0; i < records.length; i++) {
    const entity = generated[i]!.entity;
    let id = personIds.get(entity);
    if (id === undefined) {
      id = personIds.size;
      personIds.set(entity, id);
      groupSize.push(0);
    }
    personOf[i] = id;
    groupSize[id]!++;
  }
  personIds.clear();
  generated.length = 0;
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let started = performance.now();
  let cpu = process.cpuUsage();
  const baseline = prepareRecords(records, CONTACT_MATCH_FIELDS);
  const baselineSeconds = (performance.now() - started) / 1000;
  const baselineCpuSeconds = cpuSeconds(cpu);
  void baseline.ids.length;
  started = performance.now();
  cpu = process.cpuUsage();
  const run = matchRecords(records, CONTACT_MATCH_FIELDS, { neighbours: Number(values.neighbours) });
  const pairs = selectScoredPairs(run, THRESHOLD);
  const totalSeconds = (performance.now() - started) / 1000;
  const totalCpuSeconds = cpuSeconds(cpu);
  // matchRecords keeps the input order, so record index i is records[i].
  const truePairs = groupSize.reduce((sum, k) => sum + (k * (k - 1)) / 2, 0);
  let blocked = 0;
  for (let p = 0; p < run.count; p++) if (personOf[run.left[p]!] === personOf[run.right[p]!]) blocked++;
  const tp = pairs.filter((p) => personOf[p.a] === personOf[p.b]).length;
  return {
    records: records.length,
    truePairs,
    blockingRecall: blocked / truePairs,
    precision: pairs.length === 0 ? 0 : tp / pairs.length,
    recall: tp / truePairs,
    skipped: run.stats.passes.filter((x) => x.skippedBlocks > 0).map((x) => ({ pass: x.name, blocks: x.skippedBlocks, records: x.skippedRecords, neighbourPairs: x.neighbourPairs })),
    baselineSeconds,
    totalSeconds,
    totalCpuSeconds,
    baselineCpuSeconds,
    ratio: totalSeconds / baselineSeconds,
    candidatePairs: run.stats.candidatePairs,
    allPairs: run.stats.allPairs,
    pairsAtThreshold: pairs.length,
    phases: Object.fromEntries(Object.entries(run.stats.millis).map(([k, v]) => [k, Math.round(v) / 1000])),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    em: run.stats.em,
  };
}

function printSpeed(s: SpeedResult): void {
  console.log('\nSpeed (in memory, one process; the baseline normalizes the same records and nothing else)\n');
  console.log('| records | baseline: normalize (s, CPU s) | dedupe: normalize + block + compare + EM + score (s, CPU s) | dedupe / baseline | candidate pairs | all pairs n(n-1)/2 | candidates / all | pairs >= threshold | peak RSS (MB) | EM |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  console.log(
    `| ${fmt(s.records)} | ${s.baselineSeconds.toFixed(1)} (${s.baselineCpuSeconds.toFixed(1)}) | ${s.totalSeconds.toFixed(1)} (${s.totalCpuSeconds.toFixed(1)}) | ${s.ratio.toFixed(1)}x | ${fmt(s.candidatePairs)} | ${fmt(s.allPairs)} | ${(s.candidatePairs / s.allPairs).toExponential(2)} | ${fmt(s.pairsAtThreshold)} | ${fmt(s.peakRssMb)} | ${s.em} |`,
  );
  const f1 = s.precision + s.recall === 0 ? 0 : (2 * s.precision * s.recall) / (s.precision + s.recall);
  console.log(`\nagainst the generator's truth: ${fmt(s.truePairs)} true pairs, blocking recall ${s.blockingRecall.toFixed(4)}, precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)}, F1 ${f1.toFixed(4)}`);
  console.log(`blocks over the size cap (neighbours ${values.neighbours}): ${s.skipped.length === 0 ? 'none' : s.skipped.map((x) => `${x.pass} ${fmt(x.blocks)} (${fmt(x.records)} records, ${fmt(x.neighbourPairs)} neighbour pairs)`).join(', ')}`);
  console.log(`\nphases (s): ${Object.entries(s.phases).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

const accuracy = values['skip-accuracy'] ? [] : [
  loadFebrl('dataset1'),
  loadFebrl('dataset2'),
  loadFebrl('dataset3'),
  loadFebrl4(),
  loadOrganisations(),
  loadRestaurants(),
  generatorSet(Number(values['generator-people']), 7),
  generatorSet(Number(values['namesake-people']), 3, 'namesakes'),
].map(measureAccuracy);
if (accuracy.length > 0) printAccuracy(accuracy);
const speed = values['skip-speed'] ? null : measureSpeed(Number(values['speed-records']));
if (speed) printSpeed(speed);
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'dedupe-latest.json'), `${JSON.stringify({ at: new Date().toISOString(), threshold: THRESHOLD, accuracy, speed }, null, 2)}\n`);
