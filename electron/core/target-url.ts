import { escapeControl } from './escape-control';

/** The URL that target URL messages offer as an example. */
const EXAMPLE_URL = 'http://localhost:3000/webhooks';

/** Text that reads as a host, optionally with a port and a path, but lacks the scheme, such as localhost:3000/hook. */
const HOST_WITHOUT_SCHEME = /^[A-Za-z0-9.-]+(?::[0-9]+)?(?:\/\S*)?$/;

/** A scheme followed by "//", as every absolute http or https URL starts. */
const SCHEME_AND_SLASHES = /^[A-Za-z][A-Za-z0-9+.-]*:[/\\]{2}/;

/**
 * A parsed target URL, or the message. A failure from parseTargetUrl also has the problem
 * alone, for callers that name the field themselves.
 */
export type TargetUrlResult = { ok: true; url: URL } | { ok: false; message: string; problem?: string };

/**
 * Checks a target URL the user typed: absolute, http or https, with a host right after the
 * "//" and a port from 1 to 65535. Every message shows the text with its password masked and
 * its control characters escaped.
 */
export function parseTargetUrl(text: string): TargetUrlResult {
  const invalid = (problem: string): TargetUrlResult => ({ ok: false, message: `Invalid target URL "${displayUrlText(text)}": ${problem}`, problem });
  // The URL parser ignores leading and trailing spaces and controls, and tabs and line breaks anywhere.
  // eslint-disable-next-line no-control-regex
  const cleaned = text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');

  // new URL() reads "localhost:3000" as the scheme "localhost:", so a missing scheme is checked before the scheme itself.
  if (!SCHEME_AND_SLASHES.test(cleaned) && HOST_WITHOUT_SCHEME.test(cleaned)) {
    return invalid(`it does not start with http:// or https://; use http://${cleaned} for a local server.`);
  }

  let url: URL;
  try {
    url = new URL(cleaned);
  } catch {
    return invalid(portProblem(cleaned) ?? `it is not a valid URL; use an absolute URL such as ${EXAMPLE_URL}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return invalid(`the scheme must be http or https, not ${url.protocol.slice(0, -1)}.`);
  }
  // For http and https the URL parser skips extra or missing slashes, so "http:///x" would send to the host "x".
  const scheme = url.protocol.slice(0, -1);
  if (!/^https?:[/\\]{2}[^/\\?#]/i.test(cleaned)) {
    return invalid(`the host is missing; write it right after "${scheme}://", as in ${EXAMPLE_URL}.`);
  }
  if (url.port === '0') return invalid('port 0 cannot receive requests; use the port that the server listens on, from 1 to 65535.');
  return { ok: true, url };
}

/** Returns the URL as text with any password replaced by `***`, for logs and stored records. */
export function redactUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}

/**
 * Replaces the password in URL text with `***`, also in text that is not a valid URL. The
 * authority runs from after "scheme://" (or from the start, without one) to the first `/`,
 * `\`, `?` or `#`. Its userinfo ends at the last `@`, as the URL parser reads it, and the
 * password follows the first `:` of the userinfo.
 */
export function maskUrlPassword(text: string): string {
  const authorityStart = SCHEME_AND_SLASHES.exec(text)?.[0].length ?? 0;
  const rest = text.slice(authorityStart);
  const authorityEnd = rest.search(/[/\\?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at === -1) return text;
  const colon = authority.indexOf(':');
  if (colon === -1 || colon >= at - 1) return text;
  return `${text.slice(0, authorityStart)}${authority.slice(0, colon + 1)}***${authority.slice(at)}${rest.slice(authority.length)}`;
}

/** Returns URL text for a message: its password masked and its control characters escaped. */
export function displayUrlText(text: string): string {
  return escapeControl(maskUrlPassword(text));
}

/** Returns why the port of http or https URL text that did not parse is invalid, with the fix, or null when the port is not the cause. */
function portProblem(text: string): string | null {
  const start = /^https?:[/\\]{2}/i.exec(text)?.[0].length;
  if (start === undefined) return null;
  const rest = text.slice(start);
  const authorityEnd = rest.search(/[/\\?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const hostAndPort = authority.slice(authority.lastIndexOf('@') + 1);
  // An IPv6 address is in brackets and contains colons of its own.
  const port = /^(?:\[[^\]]*\]|[^:]*):(.*)$/.exec(hostAndPort)?.[1];
  if (port === undefined || port === '') return null;
  if (!/^[0-9]+$/.test(port)) return `the port "${escapeControl(port)}" is not a number; use a port from 1 to 65535.`;
  if (Number(port) > 65535) return `the port ${port} is out of range; use a port from 1 to 65535.`;
  return null;
}
