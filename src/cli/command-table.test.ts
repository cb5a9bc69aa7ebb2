import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_TABLE, commandModulesFor } from './command-table.ts';

describe('command table', () => {
  it('names exactly the top-level commands each module registers', async () => {
    for (const module of COMMAND_TABLE) {
      const program = new Command();
      (await module.load())(program);
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...module.names].sort());
    }
  });

  it('loads one module for a known command and all of them otherwise', () => {
    expect(commandModulesFor(['attribution', 'paths.csv']).map((m) => m.names)).toEqual([['attribution']]);
    expect(commandModulesFor(['merges', 'list'])[0]!.names).toContain('dedupe');
    expect(commandModulesFor([])).toBe(COMMAND_TABLE);
    expect(commandModulesFor(['--help'])).toBe(COMMAND_TABLE);
    expect(commandModulesFor(['nonsense'])).toBe(COMMAND_TABLE);
  });
});
