import type { ParseArgsConfig } from 'node:util';
import { parseArgs } from 'node:util';
import { closestName } from '../core/closest-name';
import { escapeControl } from '../core/escape-control';

/** A command-line mistake; the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments with node:util parseArgs in strict mode. A mistake that
 * parseArgs rejects becomes a UsageError that names the argument, the closest known option
 * when one is close, and `hooktray COMMAND --help`. A negative number after an option that
 * takes a value, as in `--port -1`, is read as that option's value, so the option's own check
 * reports the valid range. parseArgs alone rejects such a value as ambiguous.
 */
export function parseCommandArgs<T extends ParseArgsConfig & { args: string[]; options: OptionsConfig }>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  const args = joinNegativeValues(config.args, config.options);
  try {
    // Only `args` differs from T, and the result's type depends on the other fields alone.
    return parseArgs({ ...config, args, strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    throw new UsageError(`${describeParseError(args, config, error as Error)} Run "hooktray ${command} --help" to list the options.`);
  }
}

/** Matches a negative number such as -1, -0.5 or -.5. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/** Rewrites `--name -1` and `-n -1` as `--name=-1` for each option that takes a value. */
function joinNegativeValues(args: string[], options: OptionsConfig): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === '--') {
      joined.push(...args.slice(index));
      break;
    }
    const next = args[index + 1];
    const name = stringOptionName(arg, options);
    if (name !== null && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      joined.push(`--${name}=${next}`);
      index++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

/** Returns the long name of the option that `arg` spells, `--name` or `-n`, when that option takes a value. */
function stringOptionName(arg: string, options: OptionsConfig): string | null {
  for (const [name, option] of Object.entries(options)) {
    if (option.type !== 'string') continue;
    if (arg === `--${name}` || (option.short !== undefined && arg === `-${option.short}`)) return name;
  }
  return null;
}

/**
 * Describes the first argument that parseArgs rejected, found by parsing again without strict
 * checks. Falls back to parseArgs' own message when no argument explains the error.
 */
function describeParseError(args: string[], config: ParseArgsConfig & { options: OptionsConfig }, error: Error): string {
  const { options } = config;
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' && config.allowPositionals !== true) {
      return `Unexpected argument "${escapeControl(token.value)}": this command takes options only.`;
    }
    if (token.kind !== 'option') continue;
    const rawName = escapeControl(token.rawName);
    const option = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (option === undefined) return unknownOptionMessage(token.rawName, args[token.index] as string, options);
    const { value } = token;
    const fix = `write ${rawName} VALUE, or ${rawName}=VALUE for a value that starts with "-"`;
    if (option.type === 'string' && value === undefined) return `${rawName} needs a value: ${fix}.`;
    // Without strict checks, parseArgs takes the next argument as the value even when it looks like an option.
    if (option.type === 'string' && !token.inlineValue && value?.startsWith('-') === true) {
      return `${rawName} needs a value, but "${escapeControl(value)}" follows it: ${fix}.`;
    }
    if (option.type === 'boolean' && value !== undefined) return `${rawName} takes no value: write ${rawName} alone.`;
  }
  return `${error.message.split('\n')[0] ?? 'Invalid arguments'}.`;
}

/**
 * Names an unknown option and the closest known one. `arg` is the whole argument: for `-port`,
 * parseArgs reports `-p` as a group of short options, and `--port` is the likely intent.
 */
function unknownOptionMessage(rawName: string, arg: string, options: OptionsConfig): string {
  const longNames = Object.keys(options);
  let suggestion: string | null = null;
  if (rawName.startsWith('--')) {
    suggestion = closestName(rawName.slice(2), longNames);
  } else if (/^-[^-]/.test(arg) && arg.length > 2) {
    suggestion = closestName(arg.slice(1).split('=')[0] as string, longNames);
  }
  const shown = escapeControl(rawName.startsWith('--') ? rawName : arg.split('=')[0] as string);
  return suggestion === null ? `Unknown option ${shown}.` : `Unknown option ${shown}: did you mean --${suggestion}?`;
}

/** Parses a port option: an integer from 0 (any free port) to 65535. `option` names it in the message. */
export function parsePort(text: string | undefined, option = '--port'): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid ${option} "${escapeControl(text)}": use a whole number from 0 to 65535 (0 picks a free port).`);
  }
  return port;
}

/**
 * Returns the one value of an option that parseArgs collected with `multiple: true`, or
 * undefined without one. Throws a UsageError when the option was given more than once,
 * because only one value can be used and taking the last would hide the others.
 */
export function singleValue(values: string[] | undefined, option: string): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw new UsageError(`${option} was given ${values.length} times: give it once.`);
  return values[0];
}
