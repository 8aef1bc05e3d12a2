import { ConfigError } from './core/config';
import { UsageError } from './cli/args';
import { runExport } from './cli/export';
import { runImport } from './cli/import';
import { runListen } from './cli/listen';
import { runDiff } from './cli/diff';
import { runReplay } from './cli/replay';
import { runSend } from './cli/send';
import { runUi } from './cli/ui';
import { runVerify } from './cli/verify';

const USAGE = `Usage: hooktray <command> [options]

Commands:
  listen    receive, verify and store webhooks, printing one line per delivery
  export    write stored deliveries as fixtures, HAR, cURL scripts, code snippets or NDJSON
  import    load a fixture folder, HAR or NDJSON export back into the store
  ui        receive webhooks and inspect them in a browser on 127.0.0.1
  replay    send a stored delivery again, to any URL, optionally re-signed
  diff      compare two deliveries or fixture files: JSON paths, headers and lines
  send      post a signed test delivery (spike, github, stripe, standard-webhooks)
  verify    print the signature verdict and diagnosis of a stored delivery or a fixture file

Run "hooktray <command> --help" for a command's options.`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  listen: runListen,
  export: runExport,
  import: runImport,
  ui: runUi,
  replay: runReplay,
  diff: runDiff,
  send: runSend,
  verify: runVerify,
};

/** Runs the CLI and returns its exit code: 0 on success, 2 for usage and configuration errors. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  watchStdoutErrors(name ?? 'hooktray');
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  // Own properties only: a name such as `constructor` would otherwise find Object's.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
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
    const systemProblem = systemErrorMessage(error);
    if (systemProblem !== null) {
      process.stderr.write(`hooktray ${name}: ${systemProblem}\n`);
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

let stdoutWatched = false;

/**
 * Keeps a failed write to stdout from ending the process with a stack trace. A reader that
 * closes the pipe early, such as `head`, makes every later write fail with EPIPE. The
 * commands see that failure themselves: an export through its write callbacks, and listen
 * through its own listener, which stops it. Other errors, such as a full disk behind a
 * redirect, are reported once on stderr.
 */
function watchStdoutErrors(command: string): void {
  if (stdoutWatched) return;
  stdoutWatched = true;
  let reported = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || reported) return;
    reported = true;
    process.stderr.write(`hooktray ${command}: writing to stdout failed (${error.message}), so the output is incomplete.\n`);
  });
}

/**
 * Explains an operating-system error caused by the user's choice of port or folder: a port in
 * use or reserved, or a folder this user cannot write. Returns null for any other error.
 */
export function systemErrorMessage(error: unknown): string | null {
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const { address, port } = error as { address?: string; port?: number };
    const reason = code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this user lacks';
    return `port ${port ?? '?'} on ${address ?? '127.0.0.1'} ${reason}: choose another port, or 0 for any free one.`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `${path ?? 'a file'} cannot be written (${code}): choose a --data-dir this user can write.`;
  }
  return null;
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
