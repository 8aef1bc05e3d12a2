import type { LogMessage, NodeLogger } from 'electron-log';
import log from 'electron-log/node';
import type { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { InspectOptions } from 'node:util';
import { inspect } from 'node:util';
import { escapeControl } from '../core/escape-control';
import type { Logger } from '../core/logger';
import { fromElectronLog } from '../core/logger';
import { makeDirSync } from '../core/make-dir';
import { createDataDir } from './stored';

/** Returns the CLI's log file in a data folder. */
export function cliLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'hooktray.log');
}

/** The CLI's logger, which can report whether its lines still reach the log file. */
export interface CliLogger extends Logger {
  /** Returns false once the log file cannot be written and log lines go to stderr only. */
  writesLogFile(): boolean;
}

/**
 * Sets up the CLI's logger: every entry goes to a file in the data directory's `logs` folder,
 * and warnings and errors also go to stderr, one line each, so stdout stays machine-readable
 * and the terminal shows only what needs attention. When the file cannot be written, at start
 * or later, every entry goes to stderr instead, and one line on stderr reports that before the
 * first of them. A command that logs nothing, such as one that rejects a read-only data
 * folder, then prints only its own error.
 */
export function createCliLogger(dataDir: string): CliLogger {
  // The logger may create the data folder first, so an unusable folder is reported here with its fix.
  createDataDir(dataDir);
  const file = cliLogFile(dataDir);
  const logger = log.create({ logId: 'hooktray-cli' });
  const fallback = new StderrFallback(logger, file);

  logger.transports.file.resolvePathFn = () => file;
  // Owner-only like the database: log lines name paths and senders of deliveries.
  logger.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  logger.transports.file.level = 'info';
  logger.transports.console.level = 'warn';
  logger.transports.console.format = '{h}:{i}:{s}.{ms} {level} {text}';
  logger.transports.console.writeFn = ({ message }) => {
    fallback.printNotice();
    process.stderr.write(`${formatLogLine(message.data)}\n`);
  };

  try {
    // Owner-only like the data folder Hooktray creates, also inside a folder the user made open to others.
    makeDirSync(join(dataDir, 'logs'), 0o700);
    closeSync(openSync(file, 'a', 0o600));
  } catch (error) {
    fallback.engage(error);
    return { ...fromElectronLog(logger), writesLogFile: () => !fallback.engaged };
  }
  watchWriteFailures(logger, fallback);
  return { ...fromElectronLog(logger), writesLogFile: () => !fallback.engaged };
}

/** util.inspect options that write a whole context object on one line, because without a log file stderr gets the only copy. */
const ONE_LINE: InspectOptions = { breakLength: Infinity, compact: true, depth: 6, maxArrayLength: Infinity, maxStringLength: Infinity };

/**
 * Joins a log entry's parts into one line for stderr: text as is, and each context object in
 * util.inspect's form, such as `{ port: 8080, reason: 'in use' }`. An error is shown by its
 * message, without its stack. Control characters are escaped, so neither a line break in a
 * message nor text from a sender can start another line.
 */
export function formatLogLine(parts: readonly unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? escapeControl(part) : escapeControl(inspect(withoutStacks(part), ONE_LINE)))).join(' ');
}

/** Replaces an error, or an error among an object's values, by its text without the stack. */
function withoutStacks(value: unknown): unknown {
  if (value instanceof Error) return String(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, item instanceof Error ? String(item) : item]));
}

/** Moves a logger to stderr only when its file cannot be written, and prints one notice about it. */
class StderrFallback {
  /** True once the file cannot be written and every line goes to stderr. */
  engaged = false;
  private notice: string | null = null;

  constructor(
    private readonly logger: NodeLogger,
    private readonly file: string,
  ) {}

  /** Stops writing the file and sends every line to stderr. The notice waits for the first line. */
  engage(error: unknown): void {
    if (this.engaged) return;
    this.engaged = true;
    this.logger.transports.file.level = false;
    this.logger.transports.console.level = 'info';
    this.notice = `hooktray: the log file ${this.file} cannot be written (${describeFileError(error, this.file)}), so log lines go to stderr only.\n`;
  }

  printNotice(): void {
    if (this.notice === null) return;
    process.stderr.write(this.notice);
    this.notice = null;
  }
}

/**
 * Engages the fallback when a write to the log file fails, and prints the line that failed
 * when stderr did not get it. electron-log (5.4) would pass the failure to the console of the
 * first logger it created, with the error's stack, and again for every line that fails.
 */
function watchWriteFailures(logger: NodeLogger, fallback: StderrFallback): void {
  let writing: LogMessage | null = null;
  logger.hooks.push((message, _transport, transportName) => {
    if (transportName === 'file') writing = message;
    return message;
  });

  const logFile = logger.transports.file.getFile() as unknown as EventEmitter;
  logFile.removeAllListeners('error');
  logFile.on('error', (error: unknown) => {
    fallback.engage(error);
    fallback.printNotice();
    const failed = writing as LogMessage | null;
    const onStderrAlready = failed?.level === 'warn' || failed?.level === 'error';
    if (failed !== null && !onStderrAlready) logger.transports.console(failed);
  });
}

/**
 * Returns an error's code, such as EROFS, for the one-line notice, or its message when it has
 * none. A failed write arrives as electron-log's own Error, whose message names the file and
 * then gives Node's message, which starts with the code.
 */
function describeFileError(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  if (!(error instanceof Error)) return 'unknown error';
  const message = error.message.replace(`Couldn't write to ${file}. `, '');
  return /^(E[A-Z0-9]+):/.exec(message)?.[1] ?? message;
}
