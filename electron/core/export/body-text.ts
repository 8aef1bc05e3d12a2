import { isUtf8 } from 'node:buffer';

/** A body as JSON text: UTF-8 text when the bytes are valid UTF-8, base64 otherwise. */
export interface EncodedBody {
  encoding: 'utf8' | 'base64';
  data: string;
}

/** Encodes bytes losslessly: valid UTF-8 (BOM and CRLF included) round-trips through a JSON string. */
export function encodeBody(bytes: Uint8Array): EncodedBody {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return { encoding: 'utf8', data: buffer.toString('utf8') };
  return { encoding: 'base64', data: buffer.toString('base64') };
}

export function decodeBody(body: EncodedBody): Buffer {
  return Buffer.from(body.data, body.encoding);
}
