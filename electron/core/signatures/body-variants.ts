import { findHeader } from '../headers';
import { jsonRewrites } from './json-layout';
import type { SignedRequest } from './types';

/** A changed copy of the body and the finding it explains when the signature covers it. */
export interface BodyVariant {
  bytes: Uint8Array;
  finding: string;
}

/**
 * Largest body whose JSON re-serializations are tried. Each is hashed once per key, so the
 * cap keeps the diagnosis of one invalid delivery to an estimated few tens of milliseconds.
 */
export const MAX_REWRITE_BODY_BYTES = 256 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Yields the body changes that most often break a signature, in this order: a final newline
 * added or removed, CRLF and LF line endings swapped, JSON re-serialized, and the body after
 * undoing its Content-Encoding. Line endings come before JSON because an indented layout of
 * a CRLF body is also its LF copy, and the finding must name the smaller change.
 */
export function* bodyVariants(request: SignedRequest): Generator<BodyVariant> {
  const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);

  yield* newlineVariants(body);
  yield* lineEndingVariants(body);

  const text = body.length <= MAX_REWRITE_BODY_BYTES ? decodeUtf8(body) : null;
  if (text !== null) {
    for (const rewrite of jsonRewrites(text)) {
      yield {
        bytes: Buffer.from(rewrite.text, 'utf8'),
        finding: `The signature matches this body re-serialized as ${rewrite.description}: the JSON was parsed and written again between signing and sending, so sign and send the same bytes.`,
      };
    }
  }

  if (request.decodedBody !== null) {
    const encoding = findHeader(request.headers, 'Content-Encoding')?.trim() || 'content';
    yield {
      bytes: request.decodedBody,
      finding: `The signature matches the body after undoing its ${encoding} Content-Encoding: the sender signed the uncompressed body, so verify the decompressed bytes, not the bytes as received.`,
    };
  }
}

/**
 * The receiver's decode error for a decoded body larger than its body limit, which reads "Undoing
 * gzip gives more than 1000 bytes, the body limit, so …". Group 1 is the limit in bytes.
 */
const OVER_BODY_LIMIT = /gives more than (\d+) bytes, the body limit\b/;

/**
 * Explains why a signature over the decoded body cannot be checked, for a body that has a
 * Content-Encoding and a decode error instead of a decoded copy. Returns null when the body
 * was decoded, needed no decoding or has no recorded decode error.
 */
export function undecodedBodyFinding(request: SignedRequest): string | null {
  const error = request.decodeError?.trim() ?? '';
  if (request.decodedBody !== null || error === '') return null;

  // Several Content-Encoding lines form one list of codings, as the receiver reads them.
  const encoding = request.headers
    .filter(([name]) => name.toLowerCase() === 'content-encoding')
    .map(([, value]) => value.trim())
    .join(', ');
  const arrived = encoding === '' ? 'The body arrived with a Content-Encoding' : `The body arrived with Content-Encoding "${encoding}"`;

  const limit = OVER_BODY_LIMIT.exec(error)?.[1];
  if (limit !== undefined) {
    return (
      `${arrived}, and its decoded form is larger than the body limit of ${limit} bytes, so Hooktray kept only the body as received. ` +
      'A signature over the decoded body therefore cannot be checked: raise bodyLimit in the --config file of hooktray listen or hooktray ui, ' +
      'then receive the delivery again, from the sender or by re-sending it to the receiver.'
    );
  }
  const sentence = /[.!?]$/.test(error) ? error : `${error}.`;
  return `${arrived}, and Hooktray could not decode it, so a signature over the decoded body cannot be checked. ${sentence}`;
}

function* newlineVariants(body: Buffer): Generator<BodyVariant> {
  const last = body.at(-1);
  if (last === 0x0a) {
    const cut = body.at(-2) === 0x0d ? 2 : 1;
    yield {
      bytes: body.subarray(0, body.length - cut),
      finding: 'The signature matches the body without its final newline: a newline was appended after signing (for example by a shell here-document or an HTTP tool), so send exactly the signed bytes.',
    };
    return;
  }
  for (const ending of ['\n', '\r\n']) {
    yield {
      bytes: Buffer.concat([body, Buffer.from(ending)]),
      finding: `The signature matches the body with a final ${ending === '\n' ? 'LF' : 'CRLF'} newline added: the sender signed a newline that did not arrive, so sign and send the same bytes.`,
    };
  }
}

function* lineEndingVariants(body: Buffer): Generator<BodyVariant> {
  // latin1 maps each byte to one character, so non-UTF-8 bodies survive the round trip.
  const text = body.toString('latin1');
  if (text.includes('\r\n')) {
    yield {
      bytes: Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1'),
      finding: 'The signature matches the body with LF line endings, but it arrived with CRLF: the line endings changed after signing (a text-mode transfer, Git autocrlf or an editor), so keep the signed bytes.',
    };
  }
  if (/(^|[^\r])\n/.test(text)) {
    yield {
      bytes: Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1'),
      finding: 'The signature matches the body with CRLF line endings, but it arrived with LF: the line endings changed after signing (a text-mode transfer, Git autocrlf or an editor), so keep the signed bytes.',
    };
  }
}
