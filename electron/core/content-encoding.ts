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
  const codings = contentCodings(encoding);
  if (codings.length === 0) return { bytes: null, error: null };

  const unknown = codings.find((coding) => !isKnownCoding(coding));
  if (unknown !== undefined) {
    return { bytes: null, error: `Unsupported content coding "${unknown}": Hooktray decodes only ${KNOWN_CODINGS.join(', ')}.` };
  }

  let bytes = body;
  const undone: string[] = [];
  for (const coding of codings.toReversed()) {
    try {
      bytes = undoContentCoding(bytes, coding, { maxBytes });
    } catch (error) {
      return { bytes: null, error: stepError(coding, undone, error, maxBytes) };
    }
    undone.push(coding);
  }
  return { bytes, error: null };
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

function stepError(coding: string, undone: readonly string[], error: unknown, maxBytes: number): string {
  const after = undone.length === 0 ? '' : ` after undoing ${undone.join(', ')}`;
  if (isTooLarge(error)) return `Undoing ${coding}${after} gives more than ${maxBytes} bytes, the most Hooktray decodes.`;
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
