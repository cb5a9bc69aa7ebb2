import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { SCORING_MODEL_JSON_SCHEMA, SEGMENT_JSON_SCHEMA, STAGES_JSON_SCHEMA } from '../../features/audiences/index.ts';
import { JOURNEY_JSON_SCHEMA } from '../../features/journeys/index.ts';
import { TEMPLATE_JSON_SCHEMA } from '../../features/templates/index.ts';

const SCHEMAS: Record<string, Record<string, unknown>> = {
  segment: SEGMENT_JSON_SCHEMA,
  'scoring-model': SCORING_MODEL_JSON_SCHEMA,
  stages: STAGES_JSON_SCHEMA,
  journey: JOURNEY_JSON_SCHEMA,
  'email-template': TEMPLATE_JSON_SCHEMA,
};

/** The JSON Schemas of configuration documents, for editors and CI. */
export function registerSchemasCommand(program: Command): void {
  program
    .command('schemas')
    .argument('[kind]', Object.keys(SCHEMAS).join('|'))
    .option('--write <dir>', 'write every schema to DIR/<kind>.schema.json (the repo keeps them in schemas/)')
    .description('Print or write the JSON Schemas of configuration documents')
    .action((kind: string | undefined, opts: { write?: string }) => {
      if (opts.write) {
        mkdirSync(opts.write, { recursive: true });
        for (const [name, schema] of Object.entries(SCHEMAS)) writeFileSync(join(opts.write, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
        process.stdout.write(`wrote ${Object.keys(SCHEMAS).length} schemas to ${opts.write}\n`);
        return;
      }
      const schema = kind ? SCHEMAS[kind] : undefined;
      if (!schema) throw new Error(`kind must be one of ${Object.keys(SCHEMAS).join(', ')}, got ${JSON.stringify(kind ?? '')}`);
      process.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });
}
