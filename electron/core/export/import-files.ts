import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { resolveInside } from './file-names';
import { ImportFormatError } from './import-parse';

/** Bytes read from disk at a time; larger than the stream default of 64 KiB, because NDJSON lines may take megabytes. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Files to import from: a folder on disk or files picked in a browser. */
export interface FileSet {
  label: string;
  names(): string[];
  /** Returns a file's bytes, or null when it is missing or unreadable. */
  read(name: string): Buffer | null;
  /** Returns a file's size in bytes, or null when it is missing. */
  size(name: string): number | null;
  /** Yields a file's bytes in pieces, so a large file is never held whole. */
  chunks(name: string): AsyncIterable<Buffer>;
  /** Returns how messages name a file of the set: its path on disk, or its name when picked in a browser. */
  describe(name: string): string;
}

/** Returns the files at a path (a folder's files, or the one file), or null when the path does not exist. */
export function fileSetFromPath(path: string): FileSet | null {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return null;
  }
  const folder = isFolder ? path : dirname(path);
  const names = isFolder ? readdirSync(folder).sort() : [basename(path)];
  return {
    label: path,
    names: () => names,
    describe: (name) => join(folder, name),
    read: (name) => {
      try {
        return readFileSync(resolveInside(folder, name));
      } catch {
        return null;
      }
    },
    size: (name) => {
      try {
        return statSync(resolveInside(folder, name)).size;
      } catch {
        return null;
      }
    },
    chunks: (name) => createReadStream(resolveInside(folder, name), { highWaterMark: READ_CHUNK_BYTES }),
  };
}

export function fileSetFromMemory(files: { name: string; data: Uint8Array }[]): FileSet {
  const byName = new Map(files.map((file) => [basename(file.name), Buffer.from(file.data)]));
  return {
    label: 'the chosen files',
    names: () => [...byName.keys()].sort(),
    read: (name) => byName.get(name) ?? null,
    size: (name) => byName.get(name)?.length ?? null,
    chunks: async function* (name) {
      const data = byName.get(name);
      if (data !== undefined) yield data;
    },
    describe: (name) => name,
  };
}

/** One line of a text file, without its line break, and its 1-based number. */
export interface Line {
  bytes: Buffer;
  number: number;
}

/**
 * Splits a file's pieces into lines at `\n`, keeping one line in memory at a time. A `\r`
 * before the `\n` stays in the line, where JSON.parse reads it as white space.
 */
export async function* splitLines(chunks: AsyncIterable<Buffer>, origin: string, maxLineBytes: number): AsyncGenerator<Line> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let number = 0;
  const tooLong = () => new ImportFormatError(`${origin} line ${number + 1} is longer than ${mebibytes(maxLineBytes)}, the most Hooktray reads as one delivery.`);

  for await (const chunk of chunks) {
    let start = 0;
    for (let end = chunk.indexOf(0x0a); end >= 0; end = chunk.indexOf(0x0a, start)) {
      if (partialBytes + end - start > maxLineBytes) throw tooLong();
      partial.push(chunk.subarray(start, end));
      number += 1;
      yield { bytes: partial.length === 1 ? (partial[0] as Buffer) : Buffer.concat(partial), number };
      partial = [];
      partialBytes = 0;
      start = end + 1;
    }
    if (start < chunk.length) {
      partial.push(chunk.subarray(start));
      partialBytes += chunk.length - start;
      if (partialBytes > maxLineBytes) throw tooLong();
    }
  }
  if (partial.length > 0) yield { bytes: Buffer.concat(partial), number: number + 1 };
}

/**
 * Reads and parses a JSON file that is read whole, such as a HAR file or one fixture. A file
 * larger than `maxBytes` is rejected before it is read, with a message naming the file, its
 * size and the limit, and `advice` on what to do instead.
 */
export function readJsonFile(files: FileSet, name: string, maxBytes: number, advice: string): unknown {
  const origin = files.describe(name);
  const size = files.size(name);
  if (size !== null && size > maxBytes) {
    throw new ImportFormatError(`${origin} is ${mebibytes(size)}, larger than the ${mebibytes(maxBytes)} that Hooktray reads at once from such a file. ${advice}`);
  }
  return parseJson(files.read(name), origin);
}

/** Parses JSON bytes; `origin` names them in messages. */
export function parseJson(bytes: Buffer | null, origin: string): unknown {
  if (bytes === null) throw new ImportFormatError(`${origin} is missing or unreadable; check the export folder is complete.`);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (error) {
    if (isTooLong(error)) throw new ImportFormatError(`${origin} is ${mebibytes(bytes.length)}, too large to parse as one JSON text; import fewer deliveries at once.`);
    throw new ImportFormatError(`${origin} is not valid JSON: ${(error as Error).message}.`);
  }
}

/** True for the errors V8 and Node throw for a string or array beyond their maximum length. */
function isTooLong(error: unknown): boolean {
  return error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG';
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
