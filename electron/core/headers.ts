import type { HeaderPair } from './contract';

/** Returns the first value of a header, matching its name case-insensitively. */
export function findHeader(headers: readonly HeaderPair[], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [headerName, value] of headers) {
    if (headerName.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Turns Node's flat `rawHeaders` array into ordered name and value pairs. */
export function pairsFromRawHeaders(rawHeaders: readonly string[]): HeaderPair[] {
  const pairs: HeaderPair[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  }
  return pairs;
}

/** Returns the first value of a header in Node's flat `rawHeaders`, matching its name case-insensitively. */
export function findRawHeader(rawHeaders: readonly string[], name: string): string | undefined {
  const lowerName = name.toLowerCase();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === lowerName) return rawHeaders[i + 1];
  }
  return undefined;
}

/** Returns every value of a header in Node's flat `rawHeaders`, joined with ", " as one list, or undefined. */
export function joinRawHeader(rawHeaders: readonly string[], name: string): string | undefined {
  const lowerName = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === lowerName) values.push(rawHeaders[i + 1] as string);
  }
  return values.length === 0 ? undefined : values.join(', ');
}
