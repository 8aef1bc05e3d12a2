import { availableTargets, extname, HTTPSnippet } from '@readme/httpsnippet';
import type { HarRequest } from '@readme/httpsnippet';
import type { ExportSkip, HeaderPair } from '../contract';
import { contentCodings } from '../content-encoding';
import { escapeControl } from '../escape-control';
import { encodeBody } from './body-text';
import { fetchSnippet } from './fetch-snippet';
import type { PreparedDelivery } from './prepare';

/** httpsnippet's target names, such as `python`; its root module does not export the type. */
type TargetId = Parameters<typeof extname>[0];

/** Headers a snippet must not set: framing and connection headers its HTTP client sets itself. */
const NOT_COPIED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

export const DEFAULT_SNIPPET_LANGUAGE = 'node:fetch';

/** Languages that `fetchSnippet` writes in place of httpsnippet, to keep every header. */
const FETCH_LANGUAGES = new Set(['node:fetch', 'javascript:fetch']);

/**
 * httpsnippet languages that write headers as a JavaScript object literal, where a
 * `__proto__` key sets the object's prototype, so that header is never sent.
 */
const OBJECT_LITERAL_LANGUAGES = new Set(['javascript:axios', 'javascript:jquery', 'node:axios', 'node:native']);

export interface SnippetTarget {
  target: TargetId;
  client: string;
  /** File name extension, with the dot, such as `.py`. */
  extension: string;
}

/**
 * Resolves `python` or `python:requests` to an httpsnippet target and client; a bare
 * target uses httpsnippet's default client. Returns a message listing the choices when unknown.
 */
export function resolveSnippetTarget(language: string): SnippetTarget | { error: string } {
  const [targetKey, clientKey] = language.split(':', 2);
  const targets = availableTargets();
  const target = targets.find((candidate) => candidate.key === targetKey);
  const client = target?.clients.find((candidate) => candidate.key === (clientKey ?? target.default));
  if (target === undefined || client === undefined) {
    const choices = targets.map((candidate) => `${candidate.key} (${candidate.clients.map((c) => c.key).join(', ')})`).join('; ');
    return { error: `Unknown snippet language "${language}": use a target, optionally with a client, from: ${choices}.` };
  }
  return { target: target.key, client: client.key, extension: extname(target.key, client.key) };
}

/**
 * Generates a code snippet: fetch languages with `fetchSnippet`, the others with httpsnippet.
 * The body is passed to httpsnippet as text with a neutral MIME type, so httpsnippet copies
 * it verbatim instead of re-serializing JSON (which would round numbers beyond 2^53 and
 * break the signature). A delivery is skipped when its body is not valid UTF-8, which no
 * string literal can hold, or when the language would drop one of its headers.
 */
export function snippet(prepared: PreparedDelivery, target: SnippetTarget, baseUrl: string): { code: string } | { skip: ExportSkip } {
  const { delivery } = prepared;
  const language = `${target.target}:${target.client}`;
  const body = encodeBody(delivery.body);
  if (body.encoding === 'base64') return { skip: binaryBodySkip(delivery, target) };

  const headers = prepared.headers.filter(([name]) => !NOT_COPIED.has(name.toLowerCase()));
  const lost = lostHeader(headers, language, delivery.httpVersion);
  if (lost !== null) {
    return { skip: { id: delivery.id, code: 'snippet-failed', reason: lost.reason, message: `Delivery ${delivery.id} has no ${language} snippet because ${lost.detail}.` } };
  }

  const url = `${baseUrl}${delivery.path}`;
  if (FETCH_LANGUAGES.has(language)) {
    return { code: fetchSnippet({ method: delivery.method, url, headers, body: delivery.body.byteLength > 0 ? body.data : null }) };
  }
  return httpsnippetCode(prepared, target, url, headers, body.data);
}

/**
 * Returns the skip of a body that is not valid UTF-8, which no string literal can hold. A body
 * with a Content-Encoding is named by its coding, because its bytes are compressed, not text.
 */
function binaryBodySkip(delivery: PreparedDelivery['delivery'], target: SnippetTarget): ExportSkip {
  const codings = delivery.contentEncoding === null ? [] : contentCodings(delivery.contentEncoding);
  if (codings.length === 0) {
    return {
      id: delivery.id,
      code: 'binary-body',
      reason: 'with a body that is not valid UTF-8',
      message: `Delivery ${delivery.id} has a body that is not valid UTF-8, so no ${target.target} snippet can hold it as text.`,
    };
  }
  const coding = escapeControl(codings.join(', '));
  return {
    id: delivery.id,
    code: 'binary-body',
    reason: codings.length === 1 ? `${coding}-encoded` : `encoded with ${coding}`,
    message: `Delivery ${delivery.id} has a body encoded with ${coding} (Content-Encoding), whose bytes are not text, so no ${target.target} snippet can hold it.`,
  };
}

/**
 * Returns why the language would not send one of these headers, or null when it sends them
 * all: `detail` for this delivery and `reason` for a summary of several. httpsnippet keys
 * headers by name (lower-cased for HTTP/2) and keeps the last value, and Node's fetch copies
 * them into a plain object before sending, which drops `__proto__` (seen with undici 6.24.1 in
 * Node 20.20.2 and undici 7.30.3).
 */
function lostHeader(headers: readonly HeaderPair[], language: string, httpVersion: string): { detail: string; reason: string } | null {
  const hasProto = headers.some(([name]) => name === '__proto__');
  if (language === 'node:fetch' && hasProto) {
    return { detail: 'Node\'s fetch drops a header named "__proto__" before sending it', reason: 'with a "__proto__" header, which Node\'s fetch drops' };
  }
  if (OBJECT_LITERAL_LANGUAGES.has(language) && hasProto) {
    return { detail: 'its headers object would take a header named "__proto__" as its prototype', reason: `with a "__proto__" header, which ${language} would take as the prototype` };
  }
  if (FETCH_LANGUAGES.has(language)) return null;

  const isHttp2 = httpVersion.startsWith('2');
  const seen = new Set<string>();
  for (const [name] of headers) {
    const key = isHttp2 ? name.toLowerCase() : name;
    if (seen.has(key)) return { detail: `httpsnippet keeps only the last of its "${name}" headers`, reason: 'with a repeated header, of which httpsnippet keeps only the last' };
    seen.add(key);
  }
  return null;
}

function httpsnippetCode(prepared: PreparedDelivery, target: SnippetTarget, url: string, headers: readonly HeaderPair[], bodyText: string): { code: string } | { skip: ExportSkip } {
  const { delivery } = prepared;
  const request: HarRequest = {
    method: delivery.method,
    // NOTE: httpsnippet parses this URL: dot segments such as `/../` are resolved away and
    // the query is re-encoded (`+` becomes `%20`). The curl format keeps the path as received.
    url,
    httpVersion: `HTTP/${delivery.httpVersion}`,
    cookies: [],
    headers: headers.map(([name, value]) => ({ name, value })),
    queryString: [],
    headersSize: -1,
    bodySize: -1,
    postData: delivery.body.byteLength > 0 ? { mimeType: 'application/octet-stream', text: bodyText } : { mimeType: 'application/octet-stream' },
  };

  let code: unknown;
  try {
    [code] = new HTTPSnippet(request, { harIsAlreadyEncoded: true }).convert(target.target, target.client);
  } catch (error) {
    // Some httpsnippet 11.1.0 targets throw on unusual input: clojure on a header named `constructor`, powershell on a body without Content-Type.
    const message = `httpsnippet failed to write a ${target.target}:${target.client} snippet for delivery ${delivery.id} (${(error as Error).message}).`;
    return { skip: { id: delivery.id, code: 'snippet-failed', reason: 'that httpsnippet failed to write', message } };
  }
  if (typeof code !== 'string') {
    return { skip: { id: delivery.id, code: 'snippet-failed', reason: 'that httpsnippet failed to write', message: `httpsnippet produced no ${target.target} snippet for delivery ${delivery.id}.` } };
  }
  return { code: code.endsWith('\n') ? code : `${code}\n` };
}
