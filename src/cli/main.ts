import { Command, CommanderError } from 'commander';
import { reportError } from './output.js';
import { commandEntries } from './commands/index.js';

/** Builds the program with the command modules the arguments need (all of them for help). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('hindsight')
    .description('The iterated prediction game for machine learning')
    .showHelpAfterError()
    .exitOverride();
  const first = argv.slice(2).find((a) => !a.startsWith('-'));
  const wanted = commandEntries.filter((e) => first !== undefined && e.names.includes(first));
  for (const entry of wanted.length > 0 ? wanted : commandEntries) (await entry.load()).register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.exitCode = reportError(error, json);
  }
}
