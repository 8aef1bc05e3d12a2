import type { LogFunctions } from 'electron-log';

/** The logging surface the core uses; electron-log provides it in the app and in the CLI. */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  debug(message: string, context?: Record<string, unknown>): void;
}

/** Adapts electron-log's functions, which take any arguments, to the core's logger. */
export function fromElectronLog(log: LogFunctions): Logger {
  const wrap =
    (level: 'info' | 'warn' | 'error' | 'debug') =>
    (message: string, context?: Record<string, unknown>): void => {
      if (context === undefined) log[level](message);
      else log[level](message, context);
    };
  return { info: wrap('info'), warn: wrap('warn'), error: wrap('error'), debug: wrap('debug') };
}

/** A logger that drops everything, for tests that do not check logging. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} };
