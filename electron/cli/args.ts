/** A command-line mistake; the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses a port option: an integer from 0 (any free port) to 65535. */
export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Invalid --port "${text}": use an integer from 0 to 65535 (0 picks a free port).`);
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
