import log from 'electron-log/node';
import { join } from 'node:path';
import { format } from 'node:util';
import type { Logger } from '../core/logger';
import { fromElectronLog } from '../core/logger';
import { makeDirSync } from '../core/make-dir';
import { createDataDir } from './stored';

/** Returns the CLI's log file in a data folder. */
export function cliLogFile(dataDir: string): string {
  return join(dataDir, 'logs', 'hooktray.log');
}

/**
 * Sets up the CLI's logger: stderr, so stdout stays machine-readable, and a file in the data
 * directory's `logs` folder. `quiet` keeps info lines off stderr; the file still gets them.
 */
export function createCliLogger(dataDir: string, quiet: boolean): Logger {
  // The logger may create the data folder first, so an unusable folder is reported here with its fix.
  createDataDir(dataDir);
  // Owner-only like the data folder Hooktray creates, also inside a folder the user made open to others.
  makeDirSync(join(dataDir, 'logs'), 0o700);
  const logger = log.create({ logId: 'hooktray-cli' });
  logger.transports.file.resolvePathFn = () => cliLogFile(dataDir);
  // Owner-only like the database: log lines name paths and senders of deliveries.
  logger.transports.file.writeOptions = { flag: 'a', mode: 0o600, encoding: 'utf8' };
  logger.transports.file.level = 'info';
  logger.transports.console.level = quiet ? 'warn' : 'info';
  logger.transports.console.format = '{h}:{i}:{s}.{ms} {level} {text}';
  logger.transports.console.writeFn = ({ message }) => {
    process.stderr.write(`${format(...message.data)}\n`);
  };
  return fromElectronLog(logger);
}
