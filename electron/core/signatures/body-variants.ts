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
