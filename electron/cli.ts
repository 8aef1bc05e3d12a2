import { appVersion } from './core/app-info';
import { closestName } from './core/closest-name';
import { ConfigError } from './core/config';
import { escapeControl } from './core/escape-control';
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
       hooktray help [command]
       hooktray --version

Commands:
  listen    receive, verify and store webhooks, printing one line per delivery
  export    write stored deliveries as fixtures, HAR, cURL scripts, code snippets or NDJSON
  import    load a fixture folder, HAR or NDJSON export back into the store
  ui        receive webhooks and inspect them in a browser on 127.0.0.1
  replay    send a stored delivery again, to any URL, optionally re-signed
  diff      compare two deliveries or fixture files: JSON paths, headers and lines
  send      post a signed test delivery (spike, github, stripe, standard-webhooks)
  verify    print the signature verdict and diagnosis of a stored delivery or a fixture file

Run "hooktray <command> --help" or "hooktray help <command>" for a command's options,
and "hooktray --version" (or -v) for the version.`;

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

/**
 * The option that sets the receiver's port, by command. A port in use is named with it, because
 * `ui` also has a --port, for the UI.
 */
const RECEIVER_PORT_OPTIONS: Record<string, string> = { listen: '--port', ui: '--receiver-port' };

/** Runs the CLI and returns its exit code: 0 on success, 2 for usage and configuration errors. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...afterFirst] = argv;
  watchStdoutErrors(first ?? 'hooktray');
  if (first === undefined || first === '-h' || first === '--help' || (first === 'help' && afterFirst.length === 0)) {
    process.stdout.write(`${USAGE}\n`);
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  if (first === 'help' && afterFirst.length > 1) {
    process.stderr.write(`hooktray help: expected one command name, got ${afterFirst.length}; run "hooktray help COMMAND", such as "hooktray help listen".\n`);
    return 2;
  }
  // `hooktray help COMMAND` is `hooktray COMMAND --help`.
  const [name, ...rest] = first === 'help' ? [afterFirst[0] as string, '--help'] : [first, ...afterFirst];
  // Own properties only: a name such as `constructor` would otherwise find Object's.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    process.stderr.write(`hooktray: ${unknownCommandMessage(name)}\n\n${USAGE}\n`);
    return 2;
  }

  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`hooktray ${name}: ${error.message}\n`);
      return 2;
    }
    const systemProblem = systemErrorMessage(error, RECEIVER_PORT_OPTIONS[name]);
    if (systemProblem !== null) {
      process.stderr.write(`hooktray ${name}: ${systemProblem}\n`);
      return 2;
    }
    process.stderr.write(`hooktray ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

/** Names an unknown command and the closest known one, when one is close. */
function unknownCommandMessage(name: string): string {
  const suggestion = closestName(name, Object.keys(COMMANDS));
  const unknown = `unknown command "${escapeControl(name)}"`;
  return suggestion === null ? `${unknown}.` : `${unknown}: did you mean "${suggestion}"?`;
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
 * use or reserved, or a folder this user cannot write. `portOption` is the option that chose
 * the port, such as --port, named in the fix. Returns null for any other error.
 */
export function systemErrorMessage(error: unknown, portOption?: string): string | null {
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES')) {
    const { address, port } = error as { address?: string; port?: number };
    const reason = code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this user lacks';
    const choose = portOption === undefined ? 'choose another port' : `choose another ${portOption}`;
    return `port ${port ?? '?'} on ${address ?? '127.0.0.1'} ${reason}: ${choose}, or 0 for any free one.`;
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
