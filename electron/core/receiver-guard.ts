/**
 * Optional protection of the public URL, checked before a request's body is read: a secret
 * path token and a per-client rate limit. Both are off unless configured, by `hooktray listen`'s
 * flags or by the settings (the tray app and `hooktray ui`).
 */

export interface GuardOptions {
  /**
   * Secret first path segment. Requests must start with `/<token>`; the token is removed from
   * the stored path, so profiles and path prefixes stay the same with or without it.
   */
  pathToken: string | null;
  /** Requests per second allowed per client, with bursts of the same size; 0 turns the limit off. */
  rateLimitPerSecond: number;
}

export type GuardDecision =
  | { outcome: 'accept'; path: string }
  | { outcome: 'reject-token' }
  | { outcome: 'reject-rate'; retryAfterSeconds: number };

/** Counts of requests the guard rejected since start. */
export interface GuardCounts {
  missingToken: number;
  rateLimited: number;
}

/** 4 to 128 characters that are safe in a URL path segment without percent-encoding. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{4,128}$/;
/** Clients tracked at once; beyond it idle clients are forgotten first, so a scan cannot grow memory. */
const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Returns null when the token is usable, or its fault, such as `character 4, "/", is not
 * allowed`. The token guards the public URL, so the fault names a character, not the token.
 */
export function pathTokenFault(token: string): string | null {
  if (TOKEN_PATTERN.test(token)) return null;
  const characters = [...token];
  const badAt = characters.findIndex((character) => !/^[A-Za-z0-9_-]$/.test(character));
  return badAt === -1 ? `it has ${characters.length} characters` : `character ${badAt + 1}, ${JSON.stringify(characters[badAt])}, is not allowed`;
}

/** Returns null when the token is usable, or what is wrong with it. */
export function checkPathToken(token: string): string | null {
  const fault = pathTokenFault(token);
  return fault === null ? null : `The path token must be 4 to 128 letters, digits, "-" or "_", and ${fault}; choose another.`;
}

/** Returns the client a request is counted against: the first X-Forwarded-For address when it came through the tunnel. */
export function clientKey(remoteAddress: string | null, forwardedFor: string | null): string {
  const address = remoteAddress ?? 'unknown';
  // The tunnel client connects from loopback, so only there does X-Forwarded-For name the real sender.
  const viaLoopback = address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
  const first = forwardedFor?.split(',', 1)[0]?.trim() ?? '';
  return viaLoopback && first !== '' ? first : address;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Decides, per request, whether the receiver stores it; keeps the counts of rejections. */
export class ReceiverGuard {
  readonly counts: GuardCounts = { missingToken: 0, rateLimited: 0 };
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private options: GuardOptions,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  configure(options: GuardOptions): void {
    this.options = options;
    this.buckets.clear();
  }

  get active(): boolean {
    return this.options.pathToken !== null || this.options.rateLimitPerSecond > 0;
  }

  check(path: string, client: string): GuardDecision {
    const stripped = this.stripToken(path);
    if (stripped === null) {
      this.counts.missingToken += 1;
      return { outcome: 'reject-token' };
    }
    const wait = this.takeToken(client);
    if (wait > 0) {
      this.counts.rateLimited += 1;
      return { outcome: 'reject-rate', retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
    }
    return { outcome: 'accept', path: stripped };
  }

  /** Returns the path for a log line, with the token, which guards the public URL, replaced by `<path token>`. */
  redact(path: string): string {
    const token = this.options.pathToken;
    if (token === null || !path.startsWith(`/${token}`)) return path;
    return `/<path token>${path.slice(token.length + 1)}`;
  }

  /** Returns the path without the token, or null when the token is missing or wrong. */
  private stripToken(path: string): string | null {
    const token = this.options.pathToken;
    if (token === null) return path;
    const prefix = `/${token}`;
    if (!path.startsWith(prefix)) return null;
    const rest = path.slice(prefix.length);
    if (rest === '') return '/';
    if (rest.startsWith('/')) return rest;
    if (rest.startsWith('?')) return `/${rest}`;
    return null;
  }

  /** Takes one request from the client's bucket; returns 0, or the ms until one is available. */
  private takeToken(client: string): number {
    const rate = this.options.rateLimitPerSecond;
    if (rate <= 0) return 0;

    const now = this.nowMs();
    const bucket = this.buckets.get(client) ?? { tokens: rate, updatedMs: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rate);
    bucket.updatedMs = now;
    if (!this.buckets.has(client)) this.track(client, bucket, now);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / rate) * 1000;
  }

  private track(client: string, bucket: Bucket, now: number): void {
    if (this.buckets.size >= MAX_TRACKED_CLIENTS) {
      // A client idle for a full second has a full bucket again, so forgetting it changes nothing.
      for (const [key, old] of this.buckets) {
        if (now - old.updatedMs >= 1000) this.buckets.delete(key);
      }
      if (this.buckets.size >= MAX_TRACKED_CLIENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(client, bucket);
  }
}
