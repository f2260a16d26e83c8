#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { checkCommand } from './check-command.ts';

/** zk-chaos command line. Exit codes of `check`: 0 valid, 1 invalid, 2 unknown, 3 unreadable input. */
const program = new Command()
  .name('zk-chaos')
  .description('Chaos harness for ZooKeeper: check recorded histories for lost writes and broken guarantees.')
  .exitOverride();

program
  .command('check')
  .description('check a history (JSON Lines) and print the verdict')
  .argument('<file>', 'history.jsonl to check')
  .option('--json', 'print the verdict as JSON')
  .option('--budget <states>', 'search budget per key before a key is declared unknown', (v) => Number(v))
  .action(async (file: string, options: { json?: boolean; budget?: number }) => {
    process.exitCode = await checkCommand(file, options);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 3;
  } else {
    throw error;
  }
}
