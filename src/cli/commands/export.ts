import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { exportCsv, exportSegmentCsv, type ExportKind } from '../../features/imports/index.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';

const KINDS: ExportKind[] = ['contacts', 'accounts'];

/** `keel export contacts|accounts|segment NAME`: RFC 4180 CSV to a file or stdout, streamed page by page. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .argument('<kind>', 'contacts, accounts or segment')
    .argument('[name]', 'the segment, for `keel export segment NAME`')
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--workspace <id>', 'workspace id')
    .description("Export contacts, accounts or a contact segment's members as CSV (header row; traits as one JSON column)")
    .action(async (kind: string, name: string | undefined, opts: { out?: string; workspace?: string }) => {
      if (kind === 'segment' && !name) throw new Error('keel export segment needs the segment name: keel export segment NAME');
      if (kind !== 'segment' && !KINDS.includes(kind as ExportKind)) throw new Error(`kind must be contacts, accounts or segment, got ${JSON.stringify(kind)}`);
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const chunks = kind === 'segment' ? exportSegmentCsv(ctx.db.kysely, workspaceId, name!, cliActor()) : exportCsv(ctx.db.kysely, workspaceId, kind as ExportKind, cliActor());
        for await (const chunk of chunks) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (opts.out) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
