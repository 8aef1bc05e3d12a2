import type { Stats } from 'node:fs';
import { closeSync, constants, createReadStream, fstatSync, openSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { resolveInside, UnsafeFileNameError } from './file-names';
import { ImportFormatError, KEY_PART_NOT_SHOWN, quoteValue } from './import-parse';

/** Bytes read from disk at a time; larger than the stream default of 64 KiB, because NDJSON lines may take megabytes. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Files to import from: a folder on disk or files picked in a browser. */
export interface FileSet {
  label: string;
  /** Advice for a file that index.json lists but the set lacks. */
  missingAdvice: string;
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

/**
 * Returns the files at a path (a folder's files, or the one file), or null when the path does
 * not exist. A folder's files, and the .body file beside a single fixture file, may be links
 * only to files inside that folder, because a fixture from elsewhere could otherwise import any
 * file this user can read. A named pipe, socket or device is rejected before it is read,
 * because reading a pipe blocks the process.
 */
export function fileSetFromPath(path: string): FileSet | null {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    return null;
  }
  const folder = isFolder ? path : dirname(path);
  const names = isFolder ? readdirSync(folder).sort() : [basename(path)];
  // The file that the import names itself is read wherever a link to it points. Other files,
  // such as the .body file that a single fixture names, must stay inside its folder.
  const checked = (name: string): string => checkedFile(folder, name, isFolder || name !== basename(path));
  return {
    label: path,
    missingAdvice: 'check the export folder is complete',
    names: () => names,
    describe: (name) => join(folder, name),
    read: (name) => readRegularFile(checked(name)),
    size: (name) => {
      try {
        return statSync(checked(name)).size;
      } catch (error) {
        if (error instanceof ImportFormatError) throw error;
        return null;
      }
    },
    chunks: (name) => createReadStream(checked(name), { highWaterMark: READ_CHUNK_BYTES }),
  };
}

/**
 * Returns the path of `name` in `folder` after checking it. With `contained`, a link must
 * point to a file inside the folder. Throws ImportFormatError for a name or a link that points
 * outside the folder, and for a file that is not a regular file. A missing file passes,
 * so the reader reports it.
 */
function checkedFile(folder: string, name: string, contained: boolean): string {
  let file: string;
  try {
    file = resolveInside(folder, name);
  } catch (error) {
    if (!(error instanceof UnsafeFileNameError)) throw error;
    throw new ImportFormatError(`${folder} lists "${name}", which is not a file name inside that folder; list only the folder's own files.`);
  }
  let stats: Stats;
  let target: string;
  let root: string;
  try {
    stats = statSync(file);
    target = realpathSync(file);
    root = realpathSync(folder);
  } catch {
    return file;
  }

  const inside = relative(root, target);
  if (contained && (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))) {
    throw new ImportFormatError(`${file} is a link to ${target}, outside the folder ${folder}; copy that file into the folder to use it.`);
  }
  if (!stats.isFile() && !stats.isDirectory()) {
    const fix = contained ? 'remove it from the folder, because Hooktray reads only regular files' : 'choose a fixture folder, a .har or an .ndjson file';
    throw new ImportFormatError(`${file} is ${specialFileKind(stats)}, not a regular file: ${fix}.`);
  }
  return file;
}

/**
 * Reads the body file that a fixture names, with the checks of a folder import: the name must
 * be a file of the fixture's folder, a link must point inside that folder, and only a regular
 * file is read. Returns null when the file is missing; throws ImportFormatError otherwise.
 */
export function readFileBesideFixture(fixtureFile: string, name: string): Buffer | null {
  return readRegularFile(checkedFile(dirname(fixtureFile), name, true));
}

/** A named pipe, socket or device where a command expected a file. */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(`${file} is ${kind}, not a regular file`);
  }
}

/**
 * Reads a file that a command names. A named pipe, socket or device raises NotRegularFileError,
 * because reading a pipe blocks until a writer comes, and a device may never end.
 * Other failures are the file system's errors, with their codes.
 */
export function readNamedFileSync(file: string): Buffer {
  const descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) {
      if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
      throw new NotRegularFileError(file, specialFileKind(stats));
    }
    return readFileSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

function specialFileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * Reads a regular file, or returns null when it is missing, unreadable or not a regular file.
 * The file is opened without blocking and checked again, so a pipe put in its place after the check is not read.
 */
function readRegularFile(file: string): Buffer | null {
  try {
    return readNamedFileSync(file);
  } catch {
    return null;
  }
}

export function fileSetFromMemory(files: { name: string; data: Uint8Array }[]): FileSet {
  const byName = new Map(files.map((file) => [basename(file.name), Buffer.from(file.data)]));
  return {
    label: 'the chosen files',
    missingAdvice: 'select all the files of the export folder together',
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
 * size and the limit, and `advice` on what to do instead. Messages leave out text of the file
 * that contains part of one of `keys`.
 */
export function readJsonFile(files: FileSet, name: string, maxBytes: number, advice: string, keys: readonly string[] = []): unknown {
  const origin = files.describe(name);
  const size = files.size(name);
  if (size !== null && size > maxBytes) {
    throw new ImportFormatError(`${origin} is ${mebibytes(size)}, larger than the ${mebibytes(maxBytes)} that Hooktray reads at once from such a file. ${advice}`);
  }
  const bytes = files.read(name);
  if (bytes === null) throw new ImportFormatError(`${origin} is missing or unreadable; ${files.missingAdvice}.`);
  return parseJson(bytes, origin, keys);
}

/** The UTF-8 byte order mark, which some editors write at the start of a text file. */
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Parses JSON bytes, after a leading UTF-8 byte order mark; `origin` names them in messages.
 * Rejects UTF-16 text with a message that names its encoding, because read as UTF-8 it fails
 * with a JSON error about NUL bytes and replacement characters. A message that quotes the text
 * leaves it out when it contains part of one of `keys`.
 */
export function parseJson(bytes: Buffer, origin: string, keys: readonly string[] = []): unknown {
  const utf16 = utf16ByteOrder(bytes);
  if (utf16 !== null) {
    throw new ImportFormatError(`${origin} is UTF-16 text (${utf16}), but Hooktray reads JSON as UTF-8: save the file as UTF-8.`);
  }
  const text = bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  try {
    return JSON.parse(text.toString('utf8')) as unknown;
  } catch (error) {
    if (isTooLong(error)) throw new ImportFormatError(`${origin} is ${mebibytes(bytes.length)}, too large to parse as one JSON text; import fewer deliveries at once.`);
    throw new ImportFormatError(`${origin} is not valid JSON: ${jsonSyntaxProblem((error as Error).message, keys)}.`);
  }
}

/** Bytes at the start of a text that `utf16ByteOrder` looks at for the NUL bytes of UTF-16 text without a byte order mark. */
const UTF16_SAMPLE_BYTES = 64;

/**
 * Returns the byte order of UTF-16 text, as "little-endian" or "big-endian" with how it was
 * recognized, or null for other bytes. The text is UTF-16 when it starts with the byte order
 * mark FF FE or FE FF, or when every second byte of its start is NUL. That is how JSON's ASCII
 * characters read in UTF-16, and JSON in UTF-8 has no NUL bytes.
 */
export function utf16ByteOrder(bytes: Buffer): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'little-endian, byte order mark FF FE';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'big-endian, byte order mark FE FF';

  const pairs = Math.floor(Math.min(bytes.length, UTF16_SAMPLE_BYTES) / 2);
  if (pairs === 0) return null;
  let nulFirst = 0;
  let nulSecond = 0;
  for (let pair = 0; pair < pairs; pair++) {
    if (bytes[2 * pair] === 0) nulFirst += 1;
    if (bytes[2 * pair + 1] === 0) nulSecond += 1;
  }
  if (nulSecond === pairs && nulFirst === 0) return 'little-endian, without a byte order mark';
  if (nulFirst === pairs && nulSecond === 0) return 'big-endian, without a byte order mark';
  return null;
}

/**
 * V8's message for an unexpected character, which quotes the text around it, as in
 * `Unexpected token 'x', ..."{"a": x}"... is not valid JSON`. V8's other JSON.parse messages
 * give a position and quote nothing from the text.
 */
const UNEXPECTED_TOKEN = /^Unexpected token '(.)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/su;

/** Returns JSON.parse's message with the text it quotes escaped, and left out where it contains part of one of `keys`. */
function jsonSyntaxProblem(message: string, keys: readonly string[]): string {
  const match = UNEXPECTED_TOKEN.exec(message);
  if (match === null) return message;
  const [, token = '', before = '', excerpt = '', after = ''] = match;
  const quoted = quoteValue(excerpt, keys);
  const shown = quoted === KEY_PART_NOT_SHOWN ? quoted : `${before}${quoted}${after}`;
  return `unexpected character ${quoteValue(token, keys)} in the text ${shown}`;
}

/** True for the errors V8 and Node throw for a string or array beyond their maximum length. */
function isTooLong(error: unknown): boolean {
  return error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_STRING_TOO_LONG';
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}
