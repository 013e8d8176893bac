import type { Command } from 'commander';
import { buildProgram } from './main.js';

/** docs/cli.md's body: every command's help text, generated from the same definitions the CLI runs. */
export async function cliReference(): Promise<string> {
  const program = await buildProgram();
  const sections: string[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      const name = [...path, sub.name()];
      if (sub.commands.length === 0) sections.push(`### \`hindsight ${name.join(' ')}\`\n\n\`\`\`\n${sub.helpInformation().trim()}\n\`\`\`\n`);
      walk(sub, name);
    }
  };
  walk(program, []);
  return sections.join('\n');
}

export function commandPaths(program: Command): string[] {
  const out: string[] = [];
  const walk = (cmd: Command, path: string[]) => {
    for (const sub of cmd.commands) {
      const name = [...path, sub.name()];
      if (sub.commands.length === 0) out.push(name.join(' '));
      walk(sub, name);
    }
  };
  walk(program, []);
  return out;
}
