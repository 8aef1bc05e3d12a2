import LibraryTunnel from '@n8n/localtunnel/lib/Tunnel';
import { z } from 'zod';

/**
 * The body a localtunnel server returns for `GET /<subdomain>` or `GET /?new`: the assigned
 * id, the TCP port the client connects to, how many connections it may open, and the URL.
 */
const registrationSchema = z.object({
  id: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  max_conn_count: z.number().int().positive().optional(),
  url: z.url(),
  ip: z.string().optional(),
  cached_url: z.string().optional(),
});

export type Registration = z.infer<typeof registrationSchema>;

/**
 * Maximum TCP connections the client opens to a tunnel server. localtunnel servers hand out
 * their max-sockets setting, 10 by default, and the client opens as many as it is given. A
 * server that handed out thousands would use up the file descriptors the receiver and the
 * store need.
 */
export const MAX_TUNNEL_CONNECTIONS = 32;

export type RegistrationErrorCode = 'server-unreachable' | 'server-error' | 'registration-rejected' | 'invalid-registration';

export type RegistrationResult =
  | { ok: true; registration: Registration }
  /** `permanent` failures are not retried: the server rejected the request itself. */
  | { ok: false; code: RegistrationErrorCode; message: string; permanent: boolean };

/**
 * Asks the localtunnel server at `host` for `subdomain`. The library's own registration
 * retries every second forever and cannot be cancelled, so Hooktray sends this request
 * itself, once, and leaves retrying to the supervisor's backoff. `signal` aborts it, and
 * `timeoutMs` is the timeout that signal carries, for the message.
 */
export async function register(host: string, subdomain: string, signal: AbortSignal, timeoutMs: number): Promise<RegistrationResult> {
  const url = `${host}/${encodeURIComponent(subdomain)}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal, headers: { Accept: 'application/json' } });
    text = await response.text();
  } catch (error) {
    return { ok: false, code: 'server-unreachable', message: `The tunnel server ${host} is unreachable (${describeFetchError(error, timeoutMs)}); check the network connection and the tunnel host.`, permanent: false };
  }

  if (!response.ok) {
    // 4xx means this request will never succeed (such as a subdomain the server does not allow); 408 and 429 are worth retrying.
    const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
    const detail = serverMessage(text) ?? `HTTP ${response.status}`;
    return {
      ok: false,
      code: permanent ? 'registration-rejected' : 'server-error',
      message: `The tunnel server ${host} rejected the request for subdomain "${subdomain}": ${detail}.`,
      permanent,
    };
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid-registration', message: `The tunnel server ${host} returned a response that is not JSON; check that --tunnel-host names a localtunnel server.`, permanent: false };
  }
  const parsed = registrationSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? '(root)';
    return { ok: false, code: 'invalid-registration', message: `The tunnel server ${host} returned a registration without a valid "${field}"; check that --tunnel-host names a localtunnel server.`, permanent: false };
  }
  const registration = parsed.data;
  if (registration.max_conn_count !== undefined && registration.max_conn_count > MAX_TUNNEL_CONNECTIONS) {
    return { ok: true, registration: { ...registration, max_conn_count: MAX_TUNNEL_CONNECTIONS } };
  }
  return { ok: true, registration };
}

/**
 * The library's client, given a registration Hooktray already holds. The library then opens
 * up to `max_conn_count` TCP connections to the server and pipes each one to
 * `localhost:<port>`. It never sets `local_host`, whose Host rewrite decodes the stream as
 * UTF-8 text and so corrupts binary bodies.
 */
class RegisteredTunnel extends LibraryTunnel {
  constructor(
    options: { port: number; host: string; subdomain: string },
    private readonly registration: Registration,
  ) {
    super(options);
  }

  protected override _init(callback: (error: Error | null, info?: unknown) => void): void {
    callback(null, this._getInfo(this.registration));
  }
}

export type TunnelClient = LibraryTunnel;

/**
 * Opens the tunnel's TCP connections for a registration. `onError` is attached before any
 * connection exists, because an `error` event without a listener would end the process.
 */
export function openTunnelClient(localPort: number, host: string, registration: Registration, onError: (error: Error) => void): TunnelClient {
  const client = new RegisteredTunnel({ port: localPort, host, subdomain: registration.id }, registration);
  client.on('error', onError);
  client.open((error) => {
    if (error) onError(error);
  });
  return client;
}

function serverMessage(text: string): string | null {
  try {
    const json = JSON.parse(text) as { message?: unknown };
    if (typeof json.message === 'string' && json.message !== '') return json.message;
  } catch {
    // Not JSON: fall through to the status code.
  }
  return null;
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}
