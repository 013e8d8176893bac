// Regenerates docs/cli.md from the CLI's own command definitions: node --import tsx/esm scripts/gen-cli-docs.mts
import { writeFileSync } from 'node:fs';
import { cliReference } from '../src/cli/reference.ts';

const head = `# CLI reference

Every command takes \`--json\` and then prints one JSON object as the last line of stdout; errors
print a message on stderr (and \`{"error": code, "message", "field"}\` with \`--json\`) and exit non-zero.
Commands that touch a community take \`--dir DIR\` (embedded SQLite) or \`--db postgres://…\`;
commands that sign take \`--key FILE\` (from \`hindsight key new\`) and \`--time MS\` (event time, for
scripted games; default now). Generated from the command definitions by \`scripts/gen-cli-docs.mts\`;
a test fails when a command is missing here.

`;
writeFileSync('docs/cli.md', head + (await cliReference()));
process.exit(0);
