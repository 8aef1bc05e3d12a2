import { ConfigError } from './core/config';
import { UsageError } from './cli/args';
import { runListen } from './cli/listen';

const USAGE = `Usage: hooktray <command> [options]

Commands:
  listen    receive, verify and store webhooks, printing one line per delivery

Run "hooktray <command> --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  listen: runListen,
};

/** Runs the CLI and returns its exit code: 0 on success, 2 for usage and configuration errors. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`hooktray: unknown command "${name}".\n\n${USAGE}\n`);
    return 2;
  }

  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`hooktray ${name}: ${error.message}\n`);
      return 2;
    }
    // node:util parseArgs reports unknown or malformed options with these codes.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      process.stderr.write(`hooktray ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    process.stderr.write(`hooktray ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`hooktray: ${String(error)}\n`);
      process.exit(1);
    },
  );
}
