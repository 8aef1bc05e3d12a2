import zlib from 'node:zlib';

/** Largest decoded body kept, so a small compressed body cannot expand without bound. */
export const MAX_DECODED_BYTES = 100 * 1024 * 1024;

export interface DecodeResult {
  bytes: Buffer | null;
  /** Why decoding failed, for the detail view; null on success or for unknown encodings. */
  error: string | null;
}

/**
 * Undoes a `Content-Encoding` of gzip, x-gzip, deflate or br. Encodings it does not know
 * (and `identity`) give null bytes and no error; corrupt data gives an error, never a throw.
 */
export function decodeContent(body: Buffer, encoding: string): DecodeResult {
  const options = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    switch (encoding) {
      case 'gzip':
      case 'x-gzip':
        return { bytes: zlib.gunzipSync(body, options), error: null };
      case 'deflate':
        return { bytes: inflateEitherForm(body), error: null };
      case 'br':
        return { bytes: zlib.brotliDecompressSync(body, options), error: null };
      default:
        return { bytes: null, error: null };
    }
  } catch (error) {
    return { bytes: null, error: `The body is not valid ${encoding} data: ${(error as Error).message}.` };
  }
}

/** `deflate` should be zlib-wrapped, but some senders send raw deflate: accept both. */
function inflateEitherForm(body: Buffer): Buffer {
  const options = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    return zlib.inflateSync(body, options);
  } catch {
    return zlib.inflateRawSync(body, options);
  }
}
