import { Command, CommanderError } from 'commander';
import { reportError } from './output.js';
import { commandModules } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('hindsight')
    .description('The iterated prediction game for machine learning')
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandModules) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.exitCode = reportError(error, json);
  }
}
