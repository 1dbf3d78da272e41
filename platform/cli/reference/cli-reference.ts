/**
 * docs/reference/cli.md from the command definitions: the whole commander tree `program()` builds (every
 * verb, its arguments and options with their help, defaults and choices), as kubectl's generated command
 * reference does. Commands appear in the order `anvil --help` lists them. A default that depends on the
 * machine (its cores, a home folder) must carry a description, `.default(value, 'one per core')`: the page
 * shows that instead of the value, so it reads the same wherever it is generated.
 */
import type { Argument, Command, Option } from 'commander';
import { program } from '../main.js';
import { code, generatedBanner, page, PageAnchors, table, text } from './markdown.js';

/** A default or choice as the page shows it: strings bare, lists comma-separated. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return value.map(shown).join(',');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function defaultOf(item: { defaultValue?: unknown; defaultValueDescription?: string }): string {
  if (item.defaultValueDescription !== undefined) return item.defaultValueDescription;
  return item.defaultValue === undefined ? '' : code(shown(item.defaultValue));
}

function choicesOf(item: { argChoices?: string[] }): string {
  return item.argChoices ? ` (one of ${item.argChoices.map(code).join(', ')})` : '';
}

function argumentUsage(a: Argument): string {
  const name = `${a.name()}${a.variadic ? '...' : ''}`;
  return a.required ? `<${name}>` : `[${name}]`;
}

function argumentsTable(cmd: Command): string {
  const args = cmd.registeredArguments;
  if (args.length === 0) return '';
  return table(
    ['argument', 'required', 'description', 'default'],
    args.map((a) => [code(argumentUsage(a)), a.required ? 'yes' : 'no', `${text(a.description)}${choicesOf(a)}`, defaultOf(a)]),
  );
}

function optionsTable(cmd: Command): string {
  const options = cmd.options.filter((o: Option) => !o.hidden);
  if (options.length === 0) return '';
  return table(
    ['option', 'description', 'default'],
    options.map((o) => [
      code(o.flags),
      `${o.mandatory ? '**required**; ' : ''}${text(o.description)}${choicesOf(o)}${o.envVar ? ` (env ${code(o.envVar)})` : ''}`,
      defaultOf(o),
    ]),
  );
}

/** Every command under `root` with the words that call it, depth first in definition order. */
function commandsOf(root: Command): { path: string; cmd: Command }[] {
  const found: { path: string; cmd: Command }[] = [];
  const walk = (cmd: Command, path: string): void => {
    for (const sub of cmd.commands) {
      const subPath = `${path} ${sub.name()}`;
      found.push({ path: subPath, cmd: sub });
      walk(sub, subPath);
    }
  };
  walk(root, root.name());
  return found;
}

function commandSection(path: string, cmd: Command): string {
  const isGroup = cmd.commands.length > 0;
  const usage = isGroup ? `${path} <command>` : `${path} ${cmd.usage()}`;
  const aliases = cmd.aliases().length ? `Also called ${cmd.aliases().map(code).join(', ')}.` : '';
  const subcommands = isGroup
    ? `Subcommands: ${cmd.commands.map((c) => code(c.name())).join(', ')}; run without one it prints its help on stderr and exits 2.`
    : '';
  return page([
    `## ${path}`,
    text(cmd.description()),
    '```\n' + usage.trimEnd() + '\n```',
    aliases,
    subcommands,
    argumentsTable(cmd),
    optionsTable(cmd),
  ]);
}

/** The page's Markdown. */
export async function cliReference(): Promise<string> {
  const root = await program();
  const commands = commandsOf(root);
  const anchors = new PageAnchors();
  anchors.next('Command line: anvil');
  const contents = table(
    ['command', 'what it does'],
    commands.map(({ path, cmd }) => [`[${path}](#${anchors.next(path)})`, text(cmd.description())]),
  );
  return page([
    generatedBanner('the commander definitions under platform/cli/'),
    '# Command line: anvil',
    text(root.description()),
    'Every command takes `-h, --help` (its help on stdout, exit 0); `anvil -V, --version` prints the version. ' +
      'Exit codes and error codes: [errors.md](errors.md).',
    optionsTable(root),
    contents,
    ...commands.map(({ path, cmd }) => commandSection(path, cmd)),
  ]);
}
