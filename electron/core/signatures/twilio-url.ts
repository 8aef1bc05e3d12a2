import { findHeader } from '../headers';
import type { SignedRequest } from './types';

/** A URL cut at its authority without normalizing it, so the path and query keep their exact text. */
interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  /** `:port`, or empty when the URL names none. */
  port: string;
  rest: string;
}

function splitUrl(url: string): UrlParts | null {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is.exec(url);
  if (match === null) return null;
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const hostPort = authority.slice(at + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  return {
    scheme: scheme.toLowerCase(),
    userInfo: authority.slice(0, at + 1),
    host: colon === -1 ? hostPort : hostPort.slice(0, colon),
    port: colon === -1 ? '' : hostPort.slice(colon),
    rest,
  };
}

function joinParts(parts: UrlParts): string {
  return `${parts.scheme}://${parts.userInfo}${parts.host}${parts.port}${parts.rest}`;
}

const DEFAULT_PORTS: Record<string, string> = { https: ':443', http: ':80' };

/**
 * Returns the URLs Twilio may have signed for one request URL: the URL itself, then without
 * a port and with the scheme's default port, because twilio-node 6.3's validator accepts all three.
 */
export function portForms(url: string): string[] {
  const parts = splitUrl(url);
  if (parts === null) return [url];
  const withoutPort = joinParts({ ...parts, port: '' });
  const withPort = parts.port === '' ? joinParts({ ...parts, port: DEFAULT_PORTS[parts.scheme] ?? '' }) : url;
  return [...new Set([url, withoutPort, withPort])];
}

/**
 * Builds the URL a request was posted to from a base URL. The base is an origin or a path
 * prefix, to which the request's path and query are appended, or a whole webhook URL whose
 * path already ends with the request's path. A whole URL takes the request's exact path and
 * query in place of its own, because Twilio signs the URL it posted to, query included.
 */
export function joinPublicUrl(base: string, path: string): string {
  const absolutePath = path.startsWith('/') ? path : `/${path}`;
  const parts = splitUrl(base);
  if (parts === null) return `${base.replace(/\/+$/, '')}${absolutePath}`;

  // The scheme and authority exactly as written, so the URL keeps the base's spelling.
  const origin = base.slice(0, base.length - parts.rest.length);
  const basePath = splitQuery(parts.rest)[0].replace(/\/+$/, '');
  const [pathname, query] = splitQuery(absolutePath);
  const requestPath = pathname.replace(/\/+$/, '');
  if (requestPath !== '' && basePath.endsWith(requestPath)) {
    return `${origin}${basePath.slice(0, basePath.length - requestPath.length)}${pathname}${query}`;
  }
  return `${origin}${basePath}${absolutePath}`;
}

const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/i;

/**
 * Builds the public origin the headers name: forwarded host and protocol first, then a
 * `Host` that is not a loopback address. Without X-Forwarded-Proto the protocol is https,
 * the one tunnel URLs use; the diagnosis tries http as well.
 */
export function originFromHeaders(request: SignedRequest, forwardedOnly = false): string | null {
  const forwardedHost = findHeader(request.headers, 'X-Forwarded-Host')?.split(',')[0]?.trim();
  const forwardedProto = findHeader(request.headers, 'X-Forwarded-Proto')?.split(',')[0]?.trim();
  const host = forwardedHost || (forwardedOnly ? undefined : findHeader(request.headers, 'Host')?.trim());
  if (!host || (!forwardedHost && LOOPBACK_HOST.test(host))) return null;
  return `${forwardedProto || 'https'}://${host}`;
}

/** A URL that Twilio may have signed instead of the expected one, with the finding it explains. */
export interface UrlVariant {
  url: string;
  finding: string;
}

/**
 * Yields the URL differences that most often break a Twilio signature: the other scheme,
 * the local address, a trailing slash, another public URL, an explicit port and a dropped query.
 */
export function* urlVariants(request: SignedRequest, expected: string, configured: string | undefined): Generator<UrlVariant> {
  const parts = splitUrl(expected);
  if (parts === null) return;

  const otherScheme = parts.scheme === 'https' ? 'http' : 'https';
  yield {
    url: joinParts({ ...parts, scheme: otherScheme, port: '' }),
    finding: `The signature matches the URL with ${otherScheme}:// instead of ${parts.scheme}:// (${expected}): use the same scheme as the URL configured in Twilio, or set the profile's publicUrl option to it.`,
  };

  const host = findHeader(request.headers, 'Host')?.trim();
  if (host) {
    for (const local of new Set([`http://${host}`, `http://localhost${portOf(host)}`, `http://127.0.0.1${portOf(host)}`])) {
      yield {
        url: joinPublicUrl(local, request.path),
        finding: `The signature matches the local URL ${joinPublicUrl(local, request.path)}, not the public URL ${expected}: Twilio signs the public URL it posts to, so sign (or re-sign) with that URL.`,
      };
    }
  }

  const [pathPart, query] = splitQuery(parts.rest);
  const toggled = pathPart.endsWith('/') ? pathPart.slice(0, -1) : `${pathPart}/`;
  yield {
    url: joinParts({ ...parts, rest: `${toggled}${query}` }),
    finding: `The signature matches the URL ${pathPart.endsWith('/') ? 'without' : 'with'} a trailing slash on the path: use exactly the URL configured in Twilio, slash included.`,
  };

  yield* otherPublicUrls(request, expected, configured);

  const port = portOf(findHeader(request.headers, 'X-Forwarded-Port')?.trim() ?? host ?? '');
  if (port !== '' && port !== DEFAULT_PORTS[parts.scheme]) {
    yield {
      url: joinParts({ ...parts, port }),
      finding: `The signature matches the URL with port ${port.slice(1)}: Twilio signed a URL that names that port, so include it in the profile's publicUrl option.`,
    };
  }

  if (query !== '') {
    yield {
      url: joinParts({ ...parts, rest: pathPart }),
      finding: 'The signature matches the URL without its query string: the query was added after Twilio signed the request, so configure the webhook in Twilio with the full URL.',
    };
  }
}

function* otherPublicUrls(request: SignedRequest, expected: string, configured: string | undefined): Generator<UrlVariant> {
  const override = request.publicUrlOverride;
  if (override !== undefined && configured !== undefined && joinPublicUrl(configured, request.path) !== expected) {
    yield {
      url: joinPublicUrl(configured, request.path),
      finding: `The signature matches the profile's publicUrl ${configured}, not the public URL given for this check (${override}): check without that URL, or correct it.`,
    };
  }
  if ((override !== undefined || configured !== undefined) && request.publicUrl !== null) {
    const tunnel = joinPublicUrl(request.publicUrl, request.path);
    if (tunnel !== expected) yield { url: tunnel, finding: `The signature matches the tunnel URL ${tunnel}, not ${tunnelFix(override, configured)}.` };
  }
  const forwarded = originFromHeaders(request, true);
  if (forwarded !== null && joinPublicUrl(forwarded, request.path) !== expected) {
    yield {
      url: joinPublicUrl(forwarded, request.path),
      finding: `The signature matches ${joinPublicUrl(forwarded, request.path)}, the URL in the X-Forwarded-Host and X-Forwarded-Proto headers: set the profile's publicUrl option to ${forwarded}.`,
    };
  }
}

/** Returns the URL that was checked instead of the tunnel's, and how to check with the tunnel's. */
function tunnelFix(override: string | undefined, configured: string | undefined): string {
  const removeOption = "correct or remove the profile's publicUrl option";
  if (override === undefined) return `the profile's publicUrl ${configured ?? ''}: ${removeOption}`;
  return `the public URL given for this check (${override}): check without that URL${configured === undefined ? '' : `, and ${removeOption}`}`;
}

function portOf(hostPort: string): string {
  if (/^\d+$/.test(hostPort)) return `:${hostPort}`;
  const match = /:(\d+)$/.exec(hostPort.slice(hostPort.lastIndexOf(']') + 1));
  return match === null ? '' : `:${match[1]}`;
}

function splitQuery(rest: string): [string, string] {
  const at = rest.search(/[?#]/);
  return at === -1 ? [rest, ''] : [rest.slice(0, at), rest.slice(at)];
}
