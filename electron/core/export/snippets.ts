import { availableTargets, extname, HTTPSnippet } from '@readme/httpsnippet';
import type { HarRequest } from '@readme/httpsnippet';
import type { ExportSkip } from '../contract';
import { encodeBody } from './body-text';
import type { PreparedDelivery } from './prepare';

/** httpsnippet's target names, such as `python`; its root module does not export the type. */
type TargetId = Parameters<typeof extname>[0];

/** Headers a snippet must not set: framing and connection headers its HTTP client sets itself. */
const NOT_COPIED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'expect']);

export const DEFAULT_SNIPPET_LANGUAGE = 'node:fetch';

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
 * Generates a code snippet with httpsnippet. The body is passed as text with a neutral
 * MIME type, so httpsnippet copies it verbatim instead of re-serializing JSON (which would
 * round numbers beyond 2^53 and break the signature). Bodies that are not valid UTF-8
 * cannot be written as a string literal and are skipped; use the curl or fixture format.
 */
export function snippet(prepared: PreparedDelivery, target: SnippetTarget, baseUrl: string): { code: string } | { skip: ExportSkip } {
  const { delivery } = prepared;
  const body = encodeBody(delivery.body);
  if (body.encoding === 'base64') {
    return {
      skip: {
        id: delivery.id,
        code: 'binary-body',
        message: `Delivery ${delivery.id} has a body that is not valid UTF-8, so no ${target.target} snippet can hold it as text; export it with --format curl or fixture.`,
      },
    };
  }

  const request: HarRequest = {
    method: delivery.method,
    // NOTE: httpsnippet parses this URL: dot segments such as `/../` are resolved away and
    // the query is re-encoded (`+` becomes `%20`). The curl format keeps the path as received.
    url: `${baseUrl}${delivery.path}`,
    httpVersion: `HTTP/${delivery.httpVersion}`,
    cookies: [],
    headers: prepared.headers.filter(([name]) => !NOT_COPIED.has(name.toLowerCase())).map(([name, value]) => ({ name, value })),
    queryString: [],
    headersSize: -1,
    bodySize: -1,
    postData: delivery.body.byteLength > 0 ? { mimeType: 'application/octet-stream', text: body.data } : { mimeType: 'application/octet-stream' },
  };

  const [code] = new HTTPSnippet(request, { harIsAlreadyEncoded: true }).convert(target.target, target.client);
  if (typeof code !== 'string') {
    return { skip: { id: delivery.id, code: 'snippet-failed', message: `httpsnippet produced no ${target.target} snippet for delivery ${delivery.id}; try another --language or the curl format.` } };
  }
  return { code: code.endsWith('\n') ? code : `${code}\n` };
}
