import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { exportCsv, type ExportKind } from '../../features/imports/index.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';

const KINDS: ExportKind[] = ['contacts', 'accounts'];

/** `keel export contacts|accounts`: RFC 4180 CSV to a file or stdout, streamed page by page. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .argument('<kind>', KINDS.join(' or '))
    .option('--out <file>', 'write to this file (default: stdout)')
    .option('--workspace <id>', 'workspace id')
    .description('Export contacts or accounts as CSV (header row; traits as one JSON column)')
    .action(async (kind: string, opts: { out?: string; workspace?: string }) => {
      if (!KINDS.includes(kind as ExportKind)) throw new Error(`kind must be contacts or accounts, got ${JSON.stringify(kind)} (segment exports come with segments)`);
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        for await (const chunk of exportCsv(ctx.db.kysely, workspaceId, kind as ExportKind, cliActor())) {
          if (!out.write(chunk)) await once(out, 'drain');
        }
        if (opts.out) {
          out.end();
          await once(out, 'finish');
        }
      });
    });
}
