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
