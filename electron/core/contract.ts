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

/**
 * Reasons the receiver stores a delivery without its body. With `body-limit`, the body was over
 * `bodyLimit` and the sender got 413. With `memory-cap`, the request bodies held in memory across
 * all requests would have passed the receiver's cap, and the sender got 503 with Retry-After.
 */
export const TRUNCATED_REASONS = ['body-limit', 'memory-cap'] as const;

export type TruncatedReason = (typeof TRUNCATED_REASONS)[number];

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

/** Data a Spike `record_change` array tells the app to fetch, in received text. */
export interface SpikeSummary {
  eventCount: number;
  eventTypes: string[];
  users: string[];
  metrics: string[];
  activityTypes: string[];
  providers: string[];
  /** Earliest `earliest_record_start_at` and latest `latest_record_end_at`, verbatim. */
  window: { start: string | null; end: string | null };
  /** Problems found while reading the body; a summary with warnings is still shown. */
  warnings: string[];
}

/**
 * A Spike summary with every event, as one delivery's detail carries it. Lists, pushes and
 * `hooktray listen` carry the summary alone, so a body of thousands of events stays small there.
 */
export interface SpikeDetail extends SpikeSummary {
  events: SpikeEvent[];
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
  /** True when the body was not stored, for the reason in `truncatedReason`. */
  truncated: boolean;
  /** Null when `truncated` is false. */
  truncatedReason: TruncatedReason | null;
  verdict: Verdict;
  spike: SpikeSummary | null;
  /** Id of the earlier delivery with the same method, path and body, when this is a retry. */
  retryOf: string | null;
  /** Hex SHA-256 of the body bytes as received. */
  bodySha256: string;
}

export interface DeliveryDetail extends DeliverySummary {
  spike: SpikeDetail | null;
  httpVersion: string;
  remoteAddress: string | null;
  /** `X-Forwarded-For` as received, set when the delivery came through the tunnel. */
  forwardedFor: string | null;
  headers: HeaderPair[];
  contentEncoding: string | null;
  body: Uint8Array;
  /** The body after undoing `Content-Encoding` (gzip, deflate, br); null when not encoded. */
  decodedBody: Uint8Array | null;
  /** Reason decoding failed, when the body claimed an encoding it does not have. */
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
  /** Only the deliveries with these ids (at most MAX_QUERY_IDS), such as pushed ones to match against the other filters. */
  ids?: string[];
  /** Inclusive lower and exclusive upper bounds on receive time, ISO 8601. */
  from?: string;
  to?: string;
}

/** Maximum number of ids in a `DeliveryQuery`. */
export const MAX_QUERY_IDS = 1000;

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
  /** Reason the tunnel is not online, in words for the user. */
  reason: string | null;
  /** For `reconnecting`: attempt number and the time of the next try (ISO 8601). */
  attempt?: number;
  nextTryAt?: string;
  /** Set once when the server handed out another subdomain than the one requested. */
  subdomainChanged?: { previousUrl: string; url: string };
}

/** A pass of the retention policy that deleted stored deliveries. */
export interface DeliveriesPruned {
  /** Number of deliveries the pass deleted. */
  deleted: number;
  /** Number of deliveries still stored after the pass. */
  deliveryCount: number;
}

/**
 * Whether the store accepts deliveries. While `failing`, the receiver answers 503 with
 * Retry-After so providers retry, and capture resumes by itself once a write succeeds.
 */
export interface StorageStatus {
  state: 'ok' | 'failing';
  /** SQLite's or the store's error code, such as SQLITE_FULL, while failing. */
  code: string | null;
  /** What failed and how to fix it, in words for the user; null while ok. */
  message: string | null;
  /** Deliveries answered 503 since the store started failing. */
  rejected: number;
  /** When the current state began (ISO 8601). */
  since: string;
}

export interface AppStatus {
  version: string;
  localUrl: string;
  receiverPort: number;
  deliveryCount: number;
  tunnel: TunnelStatus;
  dataDir: string;
  storage: StorageStatus;
  /** `/<path token>` when a token protects the public URL, else empty: delivery URLs start with it. */
  pathPrefix: string;
}

/** A verification profile as the settings show it; its keys stay in the core's vault. */
export interface ProfileSettings {
  name: string;
  /** Signature scheme from the registry, such as `spike`. */
  scheme: string;
  /** Deliveries whose path starts with this prefix are verified with this profile. */
  pathPrefix: string;
  /** Scheme-specific options, checked against the scheme's schema on save. */
  options: Record<string, unknown>;
}

/** What the receiver sends back to every stored delivery. */
export interface ResponseConfig {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Delay before answering, in ms. */
  delayMs: number;
}

export interface RetentionConfig {
  /** Keep at most this many newest deliveries; 0 keeps all. */
  maxCount: number;
  /** Delete deliveries older than this many days; 0 keeps all. */
  maxAgeDays: number;
}

/** Which desktop notifications the tray app shows. */
export interface NotificationSettings {
  deliveries: boolean;
  invalidSignatures: boolean;
  tunnel: boolean;
}

/** Optional protection of the public URL; both parts are off by default. */
export interface ProtectionSettings {
  /** Secret first path segment every delivery URL must start with; null turns it off. */
  pathToken: string | null;
  /** Requests per second allowed per client before 429; 0 turns the limit off. */
  rateLimitPerSecond: number;
}

/** Everything the settings screen edits, except keys. */
export interface Settings {
  profiles: ProfileSettings[];
  response: ResponseConfig;
  retention: RetentionConfig;
  /** Tunnel subdomain to request; null lets the tunnel server choose. */
  subdomain: string | null;
  /** localtunnel server URL; null means the default server. */
  tunnelHost: string | null;
  notifications: NotificationSettings;
  protection: ProtectionSettings;
}

/** The settings plus what the UI may know about keys: how many, and how they are protected. */
export interface SettingsView extends Settings {
  keyCounts: Record<string, number>;
  /** `os` keychain, `weak` (obfuscation only) or `memory` (lost when the app stops). */
  keyProtection: 'os' | 'weak' | 'memory';
  /** Scheme names a profile can use. */
  schemes: string[];
}

/** Expected failures of the settings channels, as stable codes. */
export type SettingsErrorCode = 'invalid-settings' | 'unknown-profile' | 'invalid-key' | 'confirm-retention' | 'save-failed';

/** A settings field that failed a check, and why. */
export interface SettingsFieldError {
  /** Dotted path of the field, such as `response.status`. */
  field: string;
  message: string;
}

export interface SettingsFailure {
  ok: false;
  code: SettingsErrorCode;
  /** Dotted path of the field at fault, such as `profiles.0.scheme`, and the first of `errors` when that is set. */
  field: string;
  message: string;
  /**
   * When the values failed the settings schema, every field that failed it with its first
   * problem, in the order the schema checks them. Absent for the other failures, which name one
   * field, because checks of profiles, keys and retention run only on values that passed the schema.
   */
  errors?: SettingsFieldError[];
}

export type SettingsResult = { ok: true; settings: SettingsView } | SettingsFailure;

/** The old and new name of a saved profile that an update renames, so its keys move to the new name. */
export interface ProfileRename {
  from: string;
  to: string;
}

/** The top-level settings fields to replace, and which saved profiles they rename. */
export interface SettingsUpdate extends Partial<Settings> {
  /** Renamed saved profiles, allowed only together with `profiles`, which must list each `to` name. */
  profileRenames?: ProfileRename[];
  /** Re-verifies every stored delivery even when no profile changed, as "Re-verify all" does. */
  reverify?: boolean;
  /**
   * Saves a changed `retention` even when it deletes stored deliveries at once. Without it,
   * such a change fails with `confirm-retention`, whose message gives the number it would delete.
   */
  confirmRetention?: boolean;
  /**
   * Keys to add to profiles of the update, checked with each profile's new scheme and options.
   * The settings form sends a key that was typed but not yet added.
   */
  newKeys?: NewProfileKey[];
}

/** A key to add to a profile, which is named as in the update's `profiles`, after a rename. */
export interface NewProfileKey {
  profile: string;
  key: string;
  /**
   * `replace` drops the profile's saved keys, so one update can change the scheme or options
   * that read keys, such as "keyEncoding", together with the key. Default `add`.
   */
  mode?: 'add' | 'replace';
}

/** Adds keys to a profile or replaces its keys. The response carries counts, never keys. */
export interface SetKeysRequest {
  profile: string;
  keys: string[];
  mode: 'add' | 'replace';
}

export type SetKeysResult = { ok: true; profile: string; keyCount: number } | SettingsFailure;

/** Progress of re-verifying stored deliveries after a profile or key change. */
export interface ReverifyProgress {
  done: number;
  total: number;
  finished: boolean;
  /** Deliveries whose verdict changed; set when finished. */
  changed?: number;
}

export const EXPORT_FORMATS = ['fixture', 'har', 'curl', 'ndjson', 'snippet'] as const;

/** `fixture`: JSON plus `.body` per delivery; `har`: one HAR 1.2 file; `curl`: a script per delivery; `snippet`: code per delivery. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Headers whose values an export replaces unless the caller passes its own list: the credentials a
 * client sends to the server and to a proxy, and its cookies.
 */
export const DEFAULT_REDACTED_HEADERS: readonly string[] = ['Authorization', 'Proxy-Authorization', 'Cookie'];

/** `keep` writes signature headers as received, `redact` replaces their values, `resign` signs again with the public test key. */
export type SignatureHandling = 'keep' | 'redact' | 'resign';

/** Which deliveries to export: the listed ids, or every delivery matching all the filters. */
export interface ExportSelection {
  ids?: string[];
  /** Keep deliveries whose path starts with this prefix. */
  pathPrefix?: string;
  /** Text to find in the path, the headers or the body, as in `deliveries.list`. */
  text?: string;
  /** Inclusive lower and exclusive upper bounds on receive time, ISO 8601. */
  from?: string;
  to?: string;
  verdicts?: VerdictStatus[];
}

export interface ExportRequest extends ExportSelection {
  format: ExportFormat;
  /** For `snippet`: an httpsnippet target, optionally with a client, such as `python` or `node:fetch`. */
  language?: string;
  /** Header names whose values are replaced; when absent, `Authorization`, `Proxy-Authorization` and `Cookie`. */
  redactHeaders?: string[];
  signatures?: SignatureHandling;
  /** Base URL that cURL commands, snippets and HAR entries send to; default `http://localhost:3000`. */
  baseUrl?: string;
  /** Folder to write into; when absent, the response carries the files' bytes. */
  folder?: string;
  /**
   * Writes over the files of an earlier export in `folder`. Without it, such a folder fails
   * with `destination-exists` and nothing is written.
   */
  force?: boolean;
  /**
   * Id that this export's `export.progress` pushes carry, chosen by the caller so it can tell
   * them from another export's; when absent, the core chooses one.
   */
  exportId?: string;
  /**
   * Without a folder: the maximum number of files in the response, such as the downloads a browser
   * allows. An export that needs more stops with `too-many-files` at the first file over it.
   */
  maxFiles?: number;
}

/**
 * The reason a delivery was left out of an export, as a stable code. With `body-unchecked`, the
 * body decompresses beyond the size Hooktray decodes, so it cannot be checked for keys. With
 * `output-contains-key`, a file would contain a key some other way, such as in a header name.
 */
export type ExportSkipCode = 'not-found' | 'body-contains-key' | 'path-contains-key' | 'body-unchecked' | 'output-contains-key' | 'binary-body' | 'snippet-failed';

export interface ExportSkip {
  id: string;
  code: ExportSkipCode;
  /**
   * The reason the delivery was left out, as a phrase that follows a count, such as "gzip-encoded" or
   * "with a body that is not valid UTF-8". Skips with the same reason are summarized together.
   */
  reason: string;
  /** A sentence about this delivery that names no command-line option or dialog field, so each interface adds its own advice. */
  message: string;
}

export interface ExportedFile {
  /** File name inside the export folder. */
  name: string;
  size: number;
  /** The file's bytes, present when the request named no folder. */
  data?: Uint8Array;
}

export type ExportErrorCode = 'invalid-request' | 'unknown-language' | 'nothing-selected' | 'destination-exists' | 'write-failed' | 'too-many-files' | 'cancelled';

export type ExportResult =
  | { ok: true; folder: string | null; files: ExportedFile[]; exported: number; skipped: ExportSkip[]; warnings: string[] }
  | { ok: false; code: ExportErrorCode; message: string };

/** Count of exported deliveries, as the export writer reports it every few hundred deliveries and once at the end. */
export interface ExportProgress {
  done: number;
  total: number;
  finished: boolean;
}

/** One export and its progress, as `export.progress` pushes it and `export.running` lists it. */
export interface ExportRun extends ExportProgress {
  exportId: string;
  format: ExportFormat;
  /** Destination folder; null when the files go back in the response. */
  folder: string | null;
  /** Start time, ISO 8601 in UTC. */
  startedAt: string;
  /** True from `export.cancel` until the export stops. */
  cancelling: boolean;
  /** Outcome of the export, set in the last push (the one with `finished`). */
  outcome?: 'exported' | 'failed' | 'cancelled';
}

export type ExportCancelResult = { ok: true } | { ok: false; code: 'not-found'; message: string };

/** A fixture folder or HAR file on disk (`path`), or files the user picked in a browser (`files`). */
export interface ImportRequest {
  path?: string;
  files?: { name: string; data: Uint8Array }[];
}

export type ImportErrorCode = 'not-found' | 'unrecognized-format' | 'invalid-file';

export type ImportResult =
  | {
      ok: true;
      imported: number;
      ids: string[];
      /** Deliveries that got a new id because their id was already stored. */
      renamed: number;
      /** Deliveries that got a new id because their exported id was not a ULID, such as one edited by hand. */
      invalidIds: number;
      warnings: string[];
    }
  | { ok: false; code: ImportErrorCode; message: string };

/** A JSON path added, removed or changed between two bodies, as an RFC 6901 pointer (`/0/metrics/1`). */
export interface JsonChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** Left value on one line, numbers and strings as received, cut to 200 characters. */
  before?: string;
  after?: string;
}

/** A header added, removed or changed between two deliveries; repeated headers compare as lists. */
export interface HeaderChange {
  /** Lower-case header name. */
  name: string;
  kind: 'added' | 'removed' | 'changed';
  before?: string[];
  after?: string[];
}

/** One unified-diff hunk; each line starts with ' ' (context), '-' (left only) or '+' (right only). */
export interface TextPatchHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface TextPatch {
  /** `too-different` and `binary` carry no hunks; `reason` says why. */
  status: 'identical' | 'changed' | 'too-different' | 'binary';
  hunks: TextPatchHunk[];
  reason?: string;
}

export type DiffBodyKind = 'json' | 'text' | 'binary';

export interface DiffSideSummary {
  /** Delivery id or fixture file name. */
  label: string;
  /** Size in bytes of the compared body (after undoing any Content-Encoding). */
  size: number;
  kind: DiffBodyKind;
  /** Why the body is not compared as JSON; null for JSON bodies. */
  jsonError: string | null;
}

/** The comparison of two deliveries: structural JSON diff, header diff and line patches. */
export interface DeliveryDiff {
  left: DiffSideSummary;
  right: DiffSideSummary;
  identicalBodies: boolean;
  /** True when timestamps, ids and signature headers were left out. */
  ignoreVolatile: boolean;
  /** Structural diff; null unless both bodies are JSON. `truncated` is set when changes were cut. */
  json: { changes: JsonChange[]; truncated: boolean } | null;
  headerChanges: HeaderChange[];
  /**
   * Line diff of the bodies. JSON bodies are compared indented, numbers and strings as
   * received, and without volatile keys when `ignoreVolatile` is set.
   */
  bodyPatch: TextPatch;
  headerPatch: TextPatch;
}

export interface DiffRequest {
  /** Delivery ids. */
  left: string;
  right: string;
  ignoreVolatile?: boolean;
}

export type DiffResult = { ok: true; diff: DeliveryDiff } | { ok: false; code: 'not-found' | 'truncated-body'; message: string };

export type TargetResponseKind = 'replay' | 'forward';

/** Stable codes of a request to a target that got no HTTP response, or a response whose body did not finish. */
export type TargetErrorCode =
  | 'connection-refused'
  | 'timeout'
  | 'dns-failed'
  | 'connection-reset'
  | 'tls-failed'
  | 'request-failed'
  | 'aborted'
  | 'queue-full'
  | 'body-not-stored';

/** A target's answer to a re-sent or forwarded delivery, stored with the delivery. */
export interface TargetResponse {
  /** Row number; later responses have higher numbers. */
  id: number;
  deliveryId: string;
  kind: TargetResponseKind;
  /** Target URL, with any password in it replaced by `***`. */
  target: string;
  /** Wall-clock send time, ISO 8601 in UTC. */
  sentAt: string;
  /** From sending the request to the end of the response body, in ms. */
  durationMs: number;
  /** HTTP status; null when no response arrived. */
  status: number | null;
  headers: HeaderPair[];
  /** The first bytes of the response body (at most 1 MiB). */
  body: Uint8Array;
  /** Size of the response body received, in bytes; only the part that arrived when `error` is set. */
  bodySize: number;
  /** True when the delivery was signed again before sending. */
  resigned: boolean;
  /** True when the user edited headers or body before sending. */
  edited: boolean;
  /**
   * The failure of the exchange. With `status` set too, the status line and headers arrived but the
   * body did not finish, such as at the timeout, and `body` is incomplete.
   */
  error: { code: TargetErrorCode; message: string } | null;
}

export type TargetResponseSummary = Omit<TargetResponse, 'headers' | 'body'>;

/** Changes the user makes before a re-send. */
export interface ReplayEdits {
  /** Replaces the received headers, in this order and case; hop-by-hop headers are still dropped. */
  headers?: HeaderPair[];
  /** Replaces the body bytes. */
  body?: Uint8Array;
}

export interface ReplayRequest {
  id: string;
  /** http or https URL the user typed, such as `http://localhost:3000/webhooks`. */
  target: string;
  /** Sign again with the profile's newest key, with a fresh timestamp for timestamped schemes. */
  resign?: boolean;
  /** Profile whose scheme and key sign; by default the profile that covers the delivery's path. */
  profile?: string;
  edits?: ReplayEdits;
  /** An id the caller chooses for this send, with which `deliveries.replay.cancel` stops it. */
  sendId?: string;
}

/**
 * The outcome of `deliveries.replay.cancel` and `testEvents.send.cancel`. It is `not-found` when
 * no send with that id is waiting for its target, such as one that has finished.
 */
export type SendCancelResult = { ok: true } | { ok: false; code: 'not-found'; message: string };

export type ReplayErrorCode = 'not-found' | 'invalid-target' | 'truncated-body' | 'no-profile' | 'unknown-scheme' | 'no-key' | 'sign-failed';

/** `ok` means the request was attempted and recorded; `response.error` says when the target did not answer. */
export type ReplayResult = { ok: true; response: TargetResponse } | { ok: false; code: ReplayErrorCode; message: string };

/** Sends every new delivery whose path starts with `pathPrefix` to `target`, exactly that URL. */
export interface ForwardRule {
  pathPrefix: string;
  target: string;
}

export type ForwardRulesResult = { ok: true; rules: ForwardRule[] } | { ok: false; code: 'invalid-rule'; field: string; message: string };

export const TEST_EVENT_KINDS = ['spike', 'github', 'stripe', 'standard-webhooks'] as const;

export type TestEventKind = (typeof TEST_EVENT_KINDS)[number];

/** What a Spike `record_change` test delivery contains; every field has a default. */
export interface SpikeTemplate {
  /** One event per user. */
  users: string[];
  metrics: string[];
  activityTypes: string[];
  provider: string;
  /** RFC 3339 times of `earliest_record_start_at` and `latest_record_end_at`. */
  windowStart: string;
  windowEnd: string;
}

export interface TestEventRequest {
  kind: TestEventKind;
  /** URL to post to: the public URL for an end-to-end check, or a local target. */
  target: string;
  /** Profile whose key signs; by default the first profile with the event's scheme. */
  profile?: string;
  spike?: Partial<SpikeTemplate>;
  /** An id the caller chooses for this send, with which `testEvents.send.cancel` stops it. */
  sendId?: string;
}

export type TestEventErrorCode = 'invalid-target' | 'no-profile' | 'no-key' | 'invalid-template' | 'sign-failed';

export type TestEventResult =
  | {
      ok: true;
      /** HTTP status; null when no response arrived. With `error` set too, the response body did not finish. */
      status: number | null;
      durationMs: number;
      /** Id of the stored delivery when the target was a Hooktray receiver. */
      deliveryId: string | null;
      /** The response's Location header, as sent, such as the URL of a redirect. */
      location: string | null;
      profile: string;
      error: { code: TargetErrorCode; message: string } | null;
    }
  | { ok: false; code: TestEventErrorCode; message: string };

/** Request and response types of each invoke channel. */
export interface InvokeChannels {
  'status.get': { request: void; response: AppStatus };
  'deliveries.list': { request: DeliveryQuery; response: DeliveryPage };
  'deliveries.get': { request: { id: string }; response: DeliveryDetail | null };
  /**
   * Compares two deliveries on the core's thread. A pair of 5 MB bodies takes seconds and
   * delays receiving meanwhile, so the inspector diffs in a Web Worker instead.
   */
  'deliveries.diff': { request: DiffRequest; response: DiffResult };
  'deliveries.replay': { request: ReplayRequest; response: ReplayResult };
  /** Stops a re-send that waits for its target; the re-send then resolves with an `aborted` error. */
  'deliveries.replay.cancel': { request: { sendId: string }; response: SendCancelResult };
  /** Responses recorded for a delivery's re-sends and forwards, oldest first. */
  'deliveries.responses': { request: { id: string }; response: TargetResponse[] };
  'testEvents.send': { request: TestEventRequest; response: TestEventResult };
  /** Stops a test delivery that waits for its target. The send then resolves with an `aborted` error. */
  'testEvents.send.cancel': { request: { sendId: string }; response: SendCancelResult };
  'forward.rules.get': { request: void; response: ForwardRule[] };
  'forward.rules.set': { request: ForwardRule[]; response: ForwardRulesResult };
  'settings.get': { request: void; response: SettingsView };
  /** Replaces the given top-level fields; profile and key changes re-verify stored deliveries. */
  'settings.update': { request: SettingsUpdate; response: SettingsResult };
  'profiles.setKeys': { request: SetKeysRequest; response: SetKeysResult };
  /** Exports deliveries in one format, to a folder or as bytes; progress arrives on `export.progress`. */
  'export.run': { request: ExportRequest; response: ExportResult };
  /** Exports still running, such as one a page started before it was reloaded. */
  'export.running': { request: void; response: ExportRun[] };
  /** Stops a running export before its next file write; files written so far stay. */
  'export.cancel': { request: { exportId: string }; response: ExportCancelResult };
  /** Loads a fixture folder, HAR or NDJSON file back as deliveries, with new ids where an id exists. */
  'import.run': { request: ImportRequest; response: ImportResult };
}

/** Payload type of each push channel, sent from the core to every subscriber. */
export interface PushChannels {
  /** New deliveries, newest last, batched every 50 ms or 500 items. */
  'deliveries.added': DeliverySummary[];
  'verdicts.changed': VerdictChange[];
  'tunnel.status': TunnelStatus;
  /** A re-send or forward finished; fetch the body with `deliveries.responses`. */
  'responses.recorded': TargetResponseSummary;
  'reverify.progress': ReverifyProgress;
  'export.progress': ExportRun;
  /** The store started failing or recovered; sent on each change of state. */
  'storage.status': StorageStatus;
  /** Retention deleted stored deliveries, so lists and counts shown before are out of date. */
  'deliveries.pruned': DeliveriesPruned;
}

export type InvokeChannel = keyof InvokeChannels;
export type PushChannel = keyof PushChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['status.get', 'deliveries.list', 'deliveries.get', 'settings.get', 'settings.update', 'profiles.setKeys', 'deliveries.diff', 'deliveries.replay', 'deliveries.replay.cancel', 'deliveries.responses', 'testEvents.send', 'testEvents.send.cancel', 'forward.rules.get', 'forward.rules.set', 'export.run', 'export.running', 'export.cancel', 'import.run'];
export const PUSH_CHANNELS: readonly PushChannel[] = ['deliveries.added', 'verdicts.changed', 'tunnel.status', 'reverify.progress', 'responses.recorded', 'export.progress', 'storage.status', 'deliveries.pruned'];

/** The object a user interface talks to, whatever the transport. */
export interface HooktrayApi {
  invoke<C extends InvokeChannel>(channel: C, request: InvokeChannels[C]['request']): Promise<InvokeChannels[C]['response']>;
  /** Subscribes to a push channel and returns the function that unsubscribes. */
  subscribe<C extends PushChannel>(channel: C, listener: (payload: PushChannels[C]) => void): () => void;
  /**
   * Tells the transport that the UI's subscriptions are in place. The Electron shell queues
   * pushes until then, so nothing sent during startup is lost. Call it once per page load.
   */
  ready?(): Promise<void>;
  /** Writes a line to the app's log file; the Electron shell provides it. */
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Maximum deliveries in one `deliveries.added` push, and the push interval in ms. */
export const PUSH_BATCH_MAX = 500;
export const PUSH_BATCH_INTERVAL_MS = 50;
