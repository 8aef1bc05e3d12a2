import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Request checks of the browser bridge. A page on another site can make the browser send
 * requests to 127.0.0.1 (cross-site requests), and a hostile DNS name can resolve to
 * 127.0.0.1 (DNS rebinding). So every request must name the bridge's own host and port and
 * carry the session token. When it has an Origin, that must be the bridge's own origin.
 */

export type GuardFailure = { code: 'foreign-host' | 'foreign-origin' | 'missing-token' | 'invalid-token'; message: string };

/** Returns the `Host` values the bridge accepts on its port. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function checkHost(host: string | undefined, port: number): GuardFailure | null {
  if (host !== undefined && allowedHosts(port).includes(host.toLowerCase())) return null;
  return { code: 'foreign-host', message: `Host "${host ?? '(missing)'}" is not this bridge: open ${allowedHosts(port).map((value) => `http://${value}/`).join(' or ')} instead.` };
}

/** Accepts a missing Origin (same-origin navigations and non-browser clients send none). */
export function checkOrigin(origin: string | undefined, port: number): GuardFailure | null {
  if (origin === undefined) return null;
  if (allowedHosts(port).some((host) => origin.toLowerCase() === `http://${host}`)) return null;
  return { code: 'foreign-origin', message: `Requests from origin "${origin}" are not accepted: only pages served by this bridge may call it.` };
}

/** Compares a presented token with the session token in constant time. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (presented === null || presented === undefined) return false;
  // Hashing first gives equal lengths, which timingSafeEqual requires, without leaking the length.
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Name of the session cookie; it includes the port because cookies are not port-scoped. */
export function cookieName(port: number): string {
  return `hooktray_session_${port}`;
}

/** Returns one cookie's value from a `Cookie` header, or null. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return null;
}
