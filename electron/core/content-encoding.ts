import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** Largest decoded body kept, so a small compressed body cannot expand without bound. */
export const MAX_DECODED_BYTES = 100 * 1024 * 1024;

export interface DecodeResult {
  bytes: Buffer | null;
  /** Reason decoding failed, shown in the detail view. Null on success and when no coding needs undoing. */
  error: string | null;
}

const KNOWN_CODINGS = ['gzip', 'x-gzip', 'deflate', 'br'];

/** Returns the codings of a `Content-Encoding` value in the order applied, lower-cased, without `identity` and empty entries. */
export function contentCodings(encoding: string): string[] {
  return encoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

/** Returns true when a coding is one that undoContentCoding undoes. */
export function isKnownCoding(coding: string): boolean {
  return KNOWN_CODINGS.includes(coding);
}

/**
 * Undoes a `Content-Encoding` made of gzip, x-gzip, deflate and br codings. A list such as
 * `gzip, br` names the codings in the order the sender applied them, so they are undone
 * last first. `identity` and empty list entries are skipped, so a value with no other
 * coding gives null bytes and no error. Any other coding, alone or in a list, gives null
 * bytes and an error naming it. Corrupt data gives an error, never a throw. Each step's
 * output is limited to `maxBytes`.
 */
export function decodeContent(body: Buffer, encoding: string, maxBytes = MAX_DECODED_BYTES): DecodeResult {
  const codings = codingsToUndo(encoding);
  if (!Array.isArray(codings)) return codings;

  let bytes = body;
  const undone: string[] = [];
  for (const coding of codings) {
    try {
      bytes = undoContentCoding(bytes, coding, { maxBytes });
    } catch (error) {
      return { bytes: null, error: stepError(coding, undone, error, maxBytes, OWN_LIMIT) };
    }
    undone.push(coding);
  }
  return { bytes, error: null };
}

/** Output limit of decodeContentAsync, with the words its error uses for that limit. */
export interface DecodeLimit {
  maxBytes: number;
  /** Words after "gives more than N bytes, " in the error, naming the limit and how to raise it. */
  description: string;
}

const OWN_LIMIT = 'the most Hooktray decodes';

/**
 * Does what decodeContent does on libuv's thread pool, so a large body does not block the
 * event loop while it decodes.
 */
export async function decodeContentAsync(body: Buffer, encoding: string, limit: DecodeLimit = { maxBytes: MAX_DECODED_BYTES, description: OWN_LIMIT }): Promise<DecodeResult> {
  const codings = codingsToUndo(encoding);
  if (!Array.isArray(codings)) return codings;

  let bytes = body;
  const undone: string[] = [];
  for (const coding of codings) {
    try {
      bytes = await undoContentCodingAsync(bytes, coding, limit.maxBytes);
    } catch (error) {
      return { bytes: null, error: stepError(coding, undone, error, limit.maxBytes, limit.description) };
    }
    undone.push(coding);
  }
  return { bytes, error: null };
}

/**
 * Runs decodeContentAsync for at most `concurrency` bodies at a time, so many compressed
 * bodies arriving together hold at most that many decoded copies in memory.
 */
export class ContentDecoder {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: DecodeLimit,
    private readonly concurrency: number,
  ) {}

  async decode(body: Buffer, encoding: string): Promise<DecodeResult> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running += 1;
    try {
      return await decodeContentAsync(body, encoding, this.limit);
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** Returns the known codings of `encoding` in the order to undo them, or the result when there is nothing to undo or a coding is unknown. */
function codingsToUndo(encoding: string): string[] | DecodeResult {
  const codings = contentCodings(encoding);
  if (codings.length === 0) return { bytes: null, error: null };

  const unknown = codings.find((coding) => !isKnownCoding(coding));
  if (unknown !== undefined) {
    return { bytes: null, error: `Unsupported content coding "${unknown}": Hooktray decodes only ${KNOWN_CODINGS.join(', ')}.` };
  }
  return codings.toReversed();
}

/**
 * Undoes one known coding, with output limited to `maxBytes`. Throws for corrupt data, for too
 * much output (ERR_BUFFER_TOO_LARGE) and for a coding that isKnownCoding rejects. With `partial`,
 * data cut short decodes as far as it goes instead of throwing.
 */
export function undoContentCoding(body: Buffer, coding: string, { maxBytes = MAX_DECODED_BYTES, partial = false }: { maxBytes?: number; partial?: boolean } = {}): Buffer {
  const options = { maxOutputLength: maxBytes, ...(partial ? { finishFlush: zlib.constants.Z_SYNC_FLUSH } : {}) };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body, options);
    case 'deflate':
      return inflateEitherForm(body, options);
    case 'br':
      return zlib.brotliDecompressSync(body, { maxOutputLength: maxBytes, ...(partial ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : {}) });
    default:
      throw new Error(`unknown content coding "${coding}"`);
  }
}

const gunzip = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.gunzip);
const inflate = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflate);
const inflateRaw = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflateRaw);
const brotliDecompress = promisify<zlib.InputType, zlib.BrotliOptions, Buffer>(zlib.brotliDecompress);

/** Output chunk size of the asynchronous steps: larger than zlib's 16 KiB, so a large body takes fewer trips between threads. */
const ASYNC_CHUNK_BYTES = 256 * 1024;

/** Undoes one known coding on libuv's thread pool. Throws as undoContentCoding does. */
async function undoContentCodingAsync(body: Buffer, coding: string, maxBytes: number): Promise<Buffer> {
  const options = { maxOutputLength: maxBytes, chunkSize: ASYNC_CHUNK_BYTES };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return gunzip(body, options);
    case 'deflate':
      // Raw deflate is tried second, as in inflateEitherForm, unless the output was over the limit.
      try {
        return await inflate(body, options);
      } catch (error) {
        if (isTooLarge(error)) throw error;
        return inflateRaw(body, options);
      }
    case 'br':
      return brotliDecompress(body, options);
    default:
      throw new Error(`unknown content coding "${coding}"`);
  }
}

function stepError(coding: string, undone: readonly string[], error: unknown, maxBytes: number, limitDescription: string): string {
  const after = undone.length === 0 ? '' : ` after undoing ${undone.join(', ')}`;
  if (isTooLarge(error)) return `Undoing ${coding}${after} gives more than ${maxBytes} bytes, ${limitDescription}.`;
  return `The body is not valid ${coding} data${after}: ${(error as Error).message}.`;
}

/** `deflate` should be zlib-wrapped, but some senders send raw deflate: accept both. */
function inflateEitherForm(body: Buffer, options: zlib.ZlibOptions): Buffer {
  try {
    return zlib.inflateSync(body, options);
  } catch (error) {
    // Raw inflate of a zlib stream fails with an unrelated message, which would hide the size limit.
    if (isTooLarge(error)) throw error;
    return zlib.inflateRawSync(body, options);
  }
}

/** True for the error zlib throws when the output would exceed `maxOutputLength`. */
function isTooLarge(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}
