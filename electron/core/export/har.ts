import type { Entry, Har, Header, PostData } from 'har-format';
import type { HeaderPair, TruncatedReason } from '../contract';
import { encodeBody } from './body-text';
import { queryPairs } from './fixture';
import type { PreparedDelivery } from './prepare';
import { exportFacts } from './prepare';

/**
 * Hooktray's fields on a HAR entry. HAR 1.2 allows custom fields whose names start with
 * an underscore; importers use `path` to restore the path exactly as received.
 */
export interface HarHooktrayFields {
  id: string;
  path: string;
  bodySha256: string;
  size: number;
  truncated: boolean;
  truncatedReason: TruncatedReason | null;
  contentEncoding: string | null;
  verdict: { status: string; scheme: string | null };
  signatures: PreparedDelivery['signatures'];
  resignedScheme: string | null;
  redactedHeaders: string[];
}

/**
 * HAR 1.2 types `postData.text` as a string and defines `encoding: "base64"` only for
 * response content. Bodies that are not valid UTF-8 are written as base64 text with
 * `encoding: "base64"` on `postData`, the field the spec's author proposed for requests
 * and the one HTTP Toolkit and Reqable write, so no byte is lost; UTF-8 bodies stay plain text.
 */
export type HarPostData = PostData & { encoding?: 'base64' };

export type HooktrayHarEntry = Entry & { _hooktray: HarHooktrayFields };

export function harEntry(prepared: PreparedDelivery, baseUrl: string): HooktrayHarEntry {
  const { delivery } = prepared;
  const request: Entry['request'] = {
    method: delivery.method,
    url: `${baseUrl}${uriSafePath(delivery.path)}`,
    httpVersion: `HTTP/${delivery.httpVersion}`,
    cookies: [],
    headers: prepared.headers.map(([name, value]): Header => ({ name, value })),
    queryString: queryPairs(delivery.path).map(([name, value]) => ({ name, value })),
    headersSize: -1,
    bodySize: delivery.size,
  };
  if (delivery.body.byteLength > 0) request.postData = postData(prepared.headers, delivery.body);

  return {
    startedDateTime: delivery.receivedAt,
    time: 0,
    request,
    response: {
      status: 0,
      statusText: '',
      httpVersion: '',
      cookies: [],
      headers: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      comment: 'Hooktray records the request only; the receiver answered with its configured response.',
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
    _hooktray: {
      id: delivery.id,
      path: delivery.path,
      ...exportFacts(prepared),
    },
  };
}

function postData(headers: readonly HeaderPair[], body: Uint8Array): HarPostData {
  const mimeType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream';
  const encoded = encodeBody(body);
  if (encoded.encoding === 'base64') return { mimeType, text: encoded.data, encoding: 'base64' };
  return { mimeType, text: encoded.data };
}

export function harLog(entries: HooktrayHarEntry[], version: string): Har {
  return { log: { version: '1.2', creator: { name: 'Hooktray', version }, entries } };
}

/**
 * Makes a received path valid as a URI reference: characters outside RFC 3986 and `%` not
 * followed by two hex digits are percent-encoded. `#` is encoded too, because a received
 * path has no fragment. The exact path stays in `_hooktray.path`.
 */
export function uriSafePath(path: string): string {
  const bytes = Buffer.from(path, 'latin1').toString('latin1') === path ? Buffer.from(path, 'latin1') : Buffer.from(path, 'utf8');
  let result = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    const char = String.fromCharCode(byte);
    const isEscape = char === '%' && /^[0-9A-Fa-f]{2}$/.test(String.fromCharCode(bytes[i + 1] ?? 0, bytes[i + 2] ?? 0));
    if (isEscape || /[A-Za-z0-9\-._~:/?[\]@!$&'()*+,;=]/.test(char)) result += char;
    else result += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return result.startsWith('/') ? result : `/${result}`;
}
