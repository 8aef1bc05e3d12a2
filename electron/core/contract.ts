/**
 * The typed channel map between the core and a user interface, plus the data types that
 * cross it. The Electron shell (IPC through the preload) and the browser bridge
 * (HTTP and WebSocket) both implement this map, so the renderer imports it type-only.
 */

/** One header as received: original name case, in received order, duplicates kept. */
export type HeaderPair = [name: string, value: string];

export const VERDICT_STATUSES = [
  'valid',
  'invalid',
  'missing-signature',
  'no-key',
  'malformed-header',
  'timestamp-out-of-tolerance',
  'unverified',
] as const;

export type VerdictStatus = (typeof VERDICT_STATUSES)[number];

export type DigestEncoding = 'hex' | 'base64';

/** The outcome of checking one delivery's signature against one profile's keys. */
export interface Verdict {
  status: VerdictStatus;
  /** Signature scheme that was applied, such as `spike`; null when no profile applies. */
  scheme: string | null;
  /** Name of the verification profile that covered the delivery's path. */
  profile: string | null;
  /** Position of the matching key in the profile's key list (0 is the first key). */
  keyIndex?: number;
  encoding?: DigestEncoding;
  /** One sentence for the user: what was checked and, when it failed, why. */
  reason: string;
  /** For `invalid`: the finding of the failure diagnosis, when one explains the mismatch. */
  diagnosis?: string;
  /** For `unverified`: the scheme the headers suggest, such as `github`. */
  detectedScheme?: string;
}

/** What a Spike `record_change` array asks the app to fetch, in received text. */
export interface SpikeSummary {
  eventCount: number;
  eventTypes: string[];
  users: string[];
  metrics: string[];
  activityTypes: string[];
  providers: string[];
  /** Earliest `earliest_record_start_at` and latest `latest_record_end_at`, verbatim. */
  window: { start: string | null; end: string | null };
  events: SpikeEvent[];
  /** Problems found while reading the body; a summary with warnings is still shown. */
  warnings: string[];
}

export interface SpikeEvent {
  applicationUserId: string | null;
  /** The event's `timestamp` exactly as received, nanoseconds included. */
  timestamp: string | null;
  eventType: string | null;
  metrics: string[];
  activityTypes: string[];
  providerSlug: string | null;
  earliestRecordStartAt: string | null;
  latestRecordEndAt: string | null;
}

/** The list view of a delivery: everything but headers and body. */
export interface DeliverySummary {
  id: string;
  /** Wall-clock receive time, ISO 8601 in UTC with milliseconds. */
  receivedAt: string;
  method: string;
  /** Path with query, as received. */
  path: string;
  /** Body size in bytes as received (before any content decoding). */
  size: number;
  /** True when the body exceeded the size limit and was not stored. */
  truncated: boolean;
  verdict: Verdict;
  spike: SpikeSummary | null;
  /** Id of the earlier delivery with the same method, path and body, when this is a retry. */
  retryOf: string | null;
  /** Hex SHA-256 of the body bytes as received. */
  bodySha256: string;
}

export interface DeliveryDetail extends DeliverySummary {
  httpVersion: string;
  remoteAddress: string | null;
  /** `X-Forwarded-For` as received, set when the delivery came through the tunnel. */
  forwardedFor: string | null;
  headers: HeaderPair[];
  contentEncoding: string | null;
  body: Uint8Array;
  /** The body after undoing `Content-Encoding` (gzip, deflate, br); null when not encoded. */
  decodedBody: Uint8Array | null;
  /** Why decoding failed, when the body claimed an encoding it does not have. */
  decodeError: string | null;
  /** Process monotonic clock at receipt, in nanoseconds, as a decimal string. */
  monotonicNs: string;
}

export interface DeliveryQuery {
  /** Return deliveries older than this id (the last id of the previous page). */
  before?: string;
  /** Page size; at most 1000. */
  limit?: number;
  /** Text to find in the path, the headers or the body. */
  text?: string;
  verdicts?: VerdictStatus[];
  /** Inclusive lower and exclusive upper bounds on receive time, ISO 8601. */
  from?: string;
  to?: string;
}

export interface DeliveryPage {
  items: DeliverySummary[];
  /** Pass as `before` to get the next page; null on the last page. */
  nextBefore: string | null;
  /** Number of stored deliveries matching the query's filters. */
  total: number;
}

export interface VerdictChange {
  id: string;
  verdict: Verdict;
}

export type TunnelState = 'connecting' | 'online' | 'degraded' | 'reconnecting' | 'offline' | 'disabled';

export interface TunnelStatus {
  state: TunnelState;
  /** Public HTTPS URL while one is assigned. */
  url: string | null;
  /** Why the tunnel is not online, in words for the user. */
  reason: string | null;
  /** For `reconnecting`: attempt number and the time of the next try (ISO 8601). */
  attempt?: number;
  nextTryAt?: string;
  /** Set once when the server handed out another subdomain than the one requested. */
  subdomainChanged?: { previousUrl: string; url: string };
}

export interface AppStatus {
  version: string;
  localUrl: string;
  receiverPort: number;
  deliveryCount: number;
  tunnel: TunnelStatus;
  dataDir: string;
}

/** Request and response types of each invoke channel. */
export interface InvokeChannels {
  'status.get': { request: void; response: AppStatus };
  'deliveries.list': { request: DeliveryQuery; response: DeliveryPage };
  'deliveries.get': { request: { id: string }; response: DeliveryDetail | null };
}

/** Payload type of each push channel, sent from the core to every subscriber. */
export interface PushChannels {
  /** New deliveries, newest last, batched every 50 ms or 500 items. */
  'deliveries.added': DeliverySummary[];
  'verdicts.changed': VerdictChange[];
  'tunnel.status': TunnelStatus;
}

export type InvokeChannel = keyof InvokeChannels;
export type PushChannel = keyof PushChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['status.get', 'deliveries.list', 'deliveries.get'];
export const PUSH_CHANNELS: readonly PushChannel[] = ['deliveries.added', 'verdicts.changed', 'tunnel.status'];

/** The object a user interface talks to, whatever the transport. */
export interface HooktrayApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request']): Promise<InvokeChannels[C]['response']>;
  /** Subscribes to a push channel and returns the function that unsubscribes. */
  subscribe<C extends PushChannel>(channel: C, listener: (payload: PushChannels[C]) => void): () => void;
}

/** Maximum deliveries in one `deliveries.added` push, and the push interval in ms. */
export const PUSH_BATCH_MAX = 500;
export const PUSH_BATCH_INTERVAL_MS = 50;
