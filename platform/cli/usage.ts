/**
 * What every `anvil` command gets, whoever registers it: usage errors thrown (never printed by commander
 * or exiting the process), help written where the current run writes, suggestions for misspelt commands,
 * no empty option values (`--profile ''` is a slip, not "the default"), and one-line usage messages.
 * A command group run without its subcommand prints its help on stderr (commander's `help({error})`).
 */
import { InvalidArgumentError, type Command, type Option } from 'commander';
import { cliIo } from './cli-io.js';

type ParseArg = (value: string, previous: unknown) => unknown;

function refuseEmpty(option: Option): void {
  if (!option.required || option.variadic) return;
  const parse = option.parseArg as ParseArg | undefined;
  const wrapped: ParseArg = (value, previous) => {
    if (value.trim() === '') throw new InvalidArgumentError('it is empty; give a value or leave the option out');
    return parse ? parse(value, previous) : value;
  };
  // Keep the numeric marks of arguments.ts visible through the wrapper.
  Object.defineProperty(wrapped, 'inner', { value: parse });
  option.argParser(wrapped);
}

/** Applies the common handling to `cli` and every command under it. */
export function finishCommands(cli: Command): void {
  const walk = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.showSuggestionAfterError(true);
    cmd.configureOutput({
      writeOut: (text) => cliIo().stdout.write(text),
      writeErr: (text) => cliIo().stderr.write(text),
      // Errors are printed once, as catalogue errors, by runCli.
      outputError: () => {},
    });
    for (const option of cmd.options) refuseEmpty(option);
    for (const sub of cmd.commands) walk(sub);
  };
  walk(cli);
}

/** The parser an option was given (under the empty-value check above). */
export function optionParser(option: Option): unknown {
  const parse = option.parseArg as (ParseArg & { inner?: unknown }) | undefined;
  return parse && 'inner' in parse ? parse.inner : parse;
}

/** The subcommand names `args` lead to, e.g. ['volume', 'create'] for `volume create x --size 1G`. */
export function commandPathOf(cli: Command, args: readonly string[]): string[] {
  const path: string[] = [];
  let cmd = cli;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    path.push(sub.name());
    cmd = sub;
  }
  return path;
}

/** Commander's message as one clean line: no "error:" prefix, no line breaks, no doubled full stops. */
export function usageMessage(commanderMessage: string): string {
  return commanderMessage
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, ' (did you mean $1?)')
    .replace(/ is invalid\. Allowed choices are /, ' is invalid: allowed choices are ')
    .replace(/ is invalid\. /, ' is invalid: ')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '');
}
