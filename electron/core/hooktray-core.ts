import { setTimeout as sleep } from 'node:timers/promises';
import type { AppStatus, DeliveryDetail, InvokeChannel, InvokeChannels, TunnelStatus, VerdictChange } from './contract';
import type { Logger } from './logger';
import { PushHub } from './push-hub';
import type { ForwardRetryOptions } from './forward-retry';
import type { AnalysisContext, CapturedRequest } from './ingest';
import { analyzeDelivery, quickVerdict, verifyStored } from './ingest';
import type { ReceiverOptions, ResponseSettings } from './receiver';
import { Receiver } from './receiver';
import type { GuardOptions } from './receiver-guard';
import { StorageHealth } from './storage-health';
import { ReplayService } from './replay-service';
import { ExportService } from './export/export-service';
import type { Profile } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { MemoryKeyStore } from './key-store';
import { DEFAULT_SETTINGS, SettingsService, vaultFrom } from './settings';
import type { RetentionPolicy, StoreOptions } from './store';
import { DeliveryStore } from './store';
import { itemBytes } from './store-writer';

export interface CoreOptions {
  version: string;
  dataDir: string;
  /** Receiver port on 127.0.0.1; 0 picks a free one. */
  port: number;
  bodyLimit?: number;
  response?: ResponseSettings;
  /** The receiver's header and request timeouts, in ms, when not its defaults. */
  receiverTimeouts?: Pick<ReceiverOptions, 'headersTimeoutMs' | 'requestTimeoutMs'>;
  profiles: Profile[];
  vault: KeyVault;
  retention?: RetentionPolicy;
  logger: Logger;
  /** Store tuning and the Electron build of the SQLite addon. */
  store?: Omit<StoreOptions, 'dataDir'>;
  /**
   * Settings that the UI can change, with their file and key store. Without it, changes
   * last for the process only; its profiles and vault must match `profiles` and `vault`.
   */
  settings?: SettingsService;
  /** Path token and per-client rate limit of the receiver; both off when absent. */
  guard?: GuardOptions;
  /** Backoff of forwards while their target cannot be reached, when not DEFAULT_FORWARD_RETRY. */
  forwardRetry?: ForwardRetryOptions;
}

export type InvokeHandlers = {
  [C in InvokeChannel]: (request: InvokeChannels[C]['request']) => Promise<InvokeChannels[C]['response']>;
};

const RETENTION_INTERVAL_MS = 60_000;
/** Pause between two retention batches, a little longer than a batch's time bound (PRUNE_BATCH_MS in the store). */
const RETENTION_PAUSE_MS = 30;
/** Deliveries re-verified per event-loop turn: receiving waits at most for one such chunk. */
const REVERIFY_CHUNK = 200;

/**
 * The product logic both shells share: receiver, store, verification and pushes. The
 * Electron app, `hooktray listen` and `hooktray ui` each start one and wrap its handlers.
 */
export class HooktrayCore {
  readonly pushes = new PushHub();
  readonly store: DeliveryStore;
  readonly receiver: Receiver;
  /** Whether the store accepts deliveries, pushed on `storage.status` when it changes. */
  readonly storage: StorageHealth;
  private profiles: Profile[];
  private vault: KeyVault;
  private tunnel: TunnelStatus = { state: 'disabled', url: null, reason: 'The tunnel is turned off.' };
  /** Profiles, keys and public URL as the store's writer verifies captures with them. */
  private analysisContext!: AnalysisContext;
  private retentionTimer: NodeJS.Timeout | null = null;
  /** The retention pass in progress, which stop waits for. */
  private pruning: Promise<void> | null = null;
  /** Set by stop, so that a running re-verification ends before the store closes. */
  private stopping = false;

  readonly handlers: InvokeHandlers = {
    'status.get': async () => this.status(),
    'deliveries.list': async (query) => this.store.list(query),
    'deliveries.get': async ({ id }) => this.store.get(id),
    'settings.get': async () => this.settings.view(),
    'settings.update': async (patch) => this.settings.update(patch),
    'profiles.setKeys': async (request) => this.settings.setKeys(request),
    'deliveries.diff': async (request) => this.replays.diff(request),
    'deliveries.replay': async (request) => this.replays.replay(request),
    'deliveries.replay.cancel': async ({ sendId }) => this.replays.cancelReplay(sendId),
    'deliveries.responses': async ({ id }) => this.replays.responsesFor(id),
    'testEvents.send': async (request) => this.replays.sendTestEvent(request),
    'testEvents.send.cancel': async ({ sendId }) => this.replays.cancelTestEvent(sendId),
    'forward.rules.get': async () => this.replays.getForwardRules(),
    'forward.rules.set': async (rules) => this.replays.setForwardRules(rules),
    'export.run': async (request) => this.exports.run(request),
    'export.running': async () => this.exports.running(),
    'export.cancel': async ({ exportId }) => this.exports.cancel(exportId),
    'import.run': async (request) => this.exports.import(request),
  };
  readonly settings: SettingsService;
  /** Compare, re-send, forward and test events; forwarding starts once rules are set. */
  readonly replays: ReplayService;
  /** Export to fixtures, HAR, cURL, snippets or NDJSON, and import back. */
  readonly exports: ExportService;

  private constructor(private readonly options: CoreOptions) {
    this.profiles = options.profiles;
    this.vault = options.vault;
    this.store = new DeliveryStore({ dataDir: options.dataDir, logger: options.logger, ...options.store });
    // The CLI's flags win; otherwise the saved settings protect the public URL.
    const guard = options.guard ?? options.settings?.current.protection;
    if (guard !== undefined) this.options.guard = guard;
    this.refreshAnalysis();
    this.receiver = new Receiver({
      port: options.port,
      logger: options.logger,
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
      ...(options.response === undefined ? {} : { response: options.response }),
      ...options.receiverTimeouts,
      persist: (capture) => {
        // A writer thread is the busier one, so the receiver's thread checks the signature.
        // Setting the field costs less than copying the capture, which showed in profiles.
        // A capture that the store rejects as busy is not checked, so overload costs no HMAC.
        if (this.store.analyzesOffThread && !this.store.isBusyFor(itemBytes({ kind: 'capture', capture }))) {
          capture.verdict = quickVerdict(capture, this.analysisContext, Date.now());
        }
        return this.store.ingest(capture, { rejectWhenBusy: true });
      },
      ...(guard === undefined ? {} : { guard }),
    });
    this.storage = new StorageHealth({ dataDir: options.dataDir, logger: options.logger, publish: (status) => this.pushes.publish('storage.status', status) });
    this.receiver.on('storeFailed', (_id, error) => this.storage.writeFailed(error));
    this.receiver.on('delivery', () => this.storage.writeSucceeded());
    this.receiver.on('delivery', (delivery) => this.pushes.queueDelivery(delivery));
    this.replays = new ReplayService({
      store: this.store,
      pushes: this.pushes,
      logger: options.logger,
      signing: () => ({ profiles: this.profiles, vault: this.vault }),
      receiver: () => ({ localUrl: this.receiver.localUrl, publicUrl: this.tunnel.url }),
      ...(options.forwardRetry === undefined ? {} : { forwardRetry: options.forwardRetry }),
    });
    this.receiver.on('delivery', (delivery) => this.replays.forwarder.enqueue(delivery));
    this.exports = new ExportService({
      store: this.store,
      pushes: this.pushes,
      logger: options.logger,
      version: options.version,
      signing: () => ({ profiles: this.profiles, keys: this.profiles.flatMap((profile) => [...this.vault.keysFor(profile.name)]) }),
      analyze: (captured) => this.analyze(captured),
    });
    this.settings =
      options.settings ??
      new SettingsService({
        file: null,
        keyStore: new MemoryKeyStore(),
        vault: vaultFrom(options.profiles, options.vault),
        initial: {
          ...DEFAULT_SETTINGS,
          profiles: options.profiles,
          ...(options.response === undefined ? {} : { response: options.response }),
          ...(options.retention === undefined ? {} : { retention: options.retention }),
          ...(options.guard === undefined ? {} : { protection: options.guard }),
        },
        logger: options.logger,
      });
    this.settings.attach(this);
  }

  /** Opens the store, starts the receiver and the retention timer. */
  static async start(options: CoreOptions): Promise<HooktrayCore> {
    const core = new HooktrayCore(options);
    try {
      await core.receiver.listen();
    } catch (error) {
      await core.store.close();
      throw error;
    }
    core.startRetention();
    options.logger.info('core: started', { version: options.version, dataDir: options.dataDir, port: core.receiver.port, deliveries: core.store.count() });
    // Stored verdicts were made with the keys of the last run, which may differ from this run's.
    core.settings.reverify('start');
    return core;
  }

  /** Stops receiving, commits queued writes and closes the store. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    await this.pruning;
    await this.receiver.close();
    await this.replays.stop();
    await this.settings.whenReverified();
    this.pushes.flush();
    await this.store.close();
    this.options.logger.info('core: stopped', { dataDir: this.options.dataDir });
  }

  status(): AppStatus {
    return {
      version: this.options.version,
      localUrl: this.receiver.localUrl,
      receiverPort: this.receiver.port,
      deliveryCount: this.store.count(),
      tunnel: this.tunnel,
      dataDir: this.options.dataDir,
      storage: this.storage.status,
      pathPrefix: this.options.guard?.pathToken ? `/${this.options.guard.pathToken}` : '',
    };
  }

  setTunnelStatus(status: TunnelStatus): void {
    const urlChanged = status.url !== this.tunnel.url;
    this.tunnel = status;
    if (urlChanged) this.refreshAnalysis();
    this.pushes.publish('tunnel.status', status);
  }

  /** Computes the verdict and Spike summary of a delivery from its bytes, for re-verification and imports. */
  analyze(request: CapturedRequest | DeliveryDetail): Pick<DeliveryDetail, 'verdict' | 'spike'> {
    return analyzeDelivery(request, this.analysisContext, Date.now());
  }

  /** Rebuilds the analysis context from the profiles, keys, tunnel URL and path token, and hands it to the store. */
  private refreshAnalysis(): void {
    // With a path token the provider signed the URL that includes it, and the stored path lacks it.
    const token = this.options.guard?.pathToken ?? null;
    const publicUrl = this.tunnel.url === null || token === null ? this.tunnel.url : `${this.tunnel.url.replace(/\/$/, '')}/${token}`;
    const keys = new Map(this.profiles.map((profile) => [profile.name, [...this.vault.keysFor(profile.name)]]));
    this.analysisContext = { profiles: this.profiles, keys, publicUrl };
    this.store.setAnalysisContext(this.analysisContext);
  }

  /**
   * Replaces the profiles and keys, then re-verifies every stored delivery in the
   * background and pushes the verdicts that changed. Resolves with the number changed. A stop
   * ends the run early, and the next start re-verifies again.
   */
  async setProfiles(profiles: Profile[], vault: KeyVault, onProgress?: (done: number, total: number) => void): Promise<number> {
    this.useProfiles(profiles, vault);
    // Deliveries still on their way to the store were checked with the old keys: list them too.
    await this.store.drain();
    const total = this.store.count();
    let done = 0;
    let changedCount = 0;
    let chunk: VerdictChange[] = [];

    const commit = (): void => {
      const changed = this.store.updateVerdicts(chunk);
      chunk = [];
      changedCount += changed.length;
      if (changed.length > 0) this.pushes.publish('verdicts.changed', changed);
      onProgress?.(done, total);
    };

    for (const id of this.store.ids()) {
      if (this.stopping) break;
      const delivery = this.store.getWithoutEvents(id);
      done += 1;
      if (delivery === null) continue;
      // Twilio signs the URL it posted to, which a restart or a new tunnel may have changed since.
      // Deliveries stored before that URL was recorded are checked with the current one, as before.
      const arrival = this.store.publicUrlAtArrival(id);
      const context = arrival === undefined ? this.analysisContext : { ...this.analysisContext, publicUrl: arrival };
      const verdict = verifyStored(delivery, context, Date.now());
      if (JSON.stringify(verdict) !== JSON.stringify(delivery.verdict)) chunk.push({ id, verdict });
      if (done % REVERIFY_CHUNK === 0) {
        commit();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    commit();
    return changedCount;
  }

  /** Verifies deliveries with these profiles and keys from now on, without re-verifying stored ones. */
  useProfiles(profiles: Profile[], vault: KeyVault): void {
    this.profiles = profiles;
    this.vault = vault;
    this.refreshAnalysis();
  }

  setResponse(response: ResponseSettings): void {
    this.receiver.setResponse(response);
  }

  /** Replaces the path token and rate limit that protect the public URL. */
  setProtection(protection: GuardOptions): void {
    this.options.guard = protection;
    this.receiver.guard.configure(protection);
    this.refreshAnalysis();
    this.options.logger.info('receiver: protection changed', { pathToken: protection.pathToken === null ? 'off' : 'on', rateLimitPerSecond: protection.rateLimitPerSecond });
  }

  countPrunable(policy: RetentionPolicy): number {
    return this.store.countPrunable(policy);
  }

  /** Replaces the retention policy and prunes by it now. */
  setRetention(policy: RetentionPolicy): void {
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    this.options.retention = policy;
    this.startRetention();
  }

  private startRetention(): void {
    const policy = this.options.retention;
    if (policy === undefined || (policy.maxCount === 0 && policy.maxAgeDays === 0)) return;
    const prune = (): void => {
      // A pass still running reads the newest policy before each batch, so none is started beside it.
      if (this.pruning !== null) return;
      this.pruning = this.pruneInBatches().finally(() => {
        this.pruning = null;
      });
    };
    prune();
    this.retentionTimer = setInterval(prune, RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
  }

  /**
   * Deletes deliveries beyond the retention policy in store batches, with a pause after each, so
   * that the receiver responds and the writer thread commits in between. The writer waits for the
   * write lock in SQLite's busy handler, which retries only every few milliseconds, so without a
   * pause the next batch would take the lock first. Reports the total once, at the end.
   */
  private async pruneInBatches(): Promise<void> {
    let deleted = 0;
    let policy = this.options.retention;
    try {
      while (!this.stopping && policy !== undefined) {
        // Deliveries still to be forwarded stay until they are sent, so a target that is down loses none.
        const batch = this.store.pruneBatch(policy, Date.now(), this.replays.forwarder.waitingIds());
        deleted += batch.deleted;
        if (!batch.more) break;
        await sleep(RETENTION_PAUSE_MS);
        policy = this.options.retention;
      }
    } catch (error) {
      this.options.logger.error('store: retention pruning failed', { deleted, error: String(error) });
    }
    if (deleted === 0) return;
    this.options.logger.info('store: retention pruned deliveries', { deleted, ...policy });
    // Summaries still queued may be of deleted deliveries, so they go out before the list reloads.
    this.pushes.flush();
    this.pushes.publish('deliveries.pruned', { deleted, deliveryCount: this.store.count() });
  }
}
