import type { TunnelStatus } from './contract';
import type { HooktrayCore } from './hooktray-core';
import type { Logger } from './logger';
import { settingsPath } from './settings-file';
import { reconnectDelay } from './tunnel-backoff';
import type { Registration, TunnelClient } from './tunnel-client';
import { openTunnelClient, register } from './tunnel-client';
import { sendProbe } from './tunnel-probe';
import { resolveSubdomain, urlWithSubdomain } from './tunnel-subdomain';

export const DEFAULT_TUNNEL_HOST = 'https://localtunnel.me';

/** Every interval of the supervisor, in ms; tests shorten them to run in seconds. */
export interface TunnelTimings {
  /** Time between health probes while online. */
  probeIntervalMs: number;
  /** Time a probe may take to reach the receiver before the tunnel counts as degraded. */
  probeTimeoutMs: number;
  /** Delay before the first reconnect attempt; it doubles with every failed attempt. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Time online after which the next failure starts the backoff from the base again. */
  stableResetMs: number;
  /** Time allowed for the registration request, and then for the first TCP connection. */
  connectTimeoutMs: number;
  /** Period of the wall-clock check that notices that the machine woke from sleep. */
  wakeCheckMs: number;
}

export const DEFAULT_TUNNEL_TIMINGS: TunnelTimings = {
  probeIntervalMs: 60_000,
  probeTimeoutMs: 10_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  stableResetMs: 60_000,
  connectTimeoutMs: 15_000,
  wakeCheckMs: 5_000,
};

/** A wall-clock gap this many wake-check periods long means the process was suspended. */
const WAKE_GAP_PERIODS = 3;

export interface TunnelOptions {
  /** Data directory whose settings file keeps the generated subdomain. */
  dataDir: string;
  /** Localtunnel server origin; DEFAULT_TUNNEL_HOST when absent. */
  host?: string;
  /** Subdomain the user chose; when absent, the one saved for this install. */
  subdomain?: string;
  /** Origin the health probe connects to instead of the public host (see ProbeOptions). */
  probeOrigin?: string;
  timings?: Partial<TunnelTimings>;
  /** Source of jitter in [0, 1); Math.random when absent. */
  random?: () => number;
  /** Wall clock in ms since the epoch; Date.now when absent. */
  now?: () => number;
}

export type TunnelSetupErrorCode = 'invalid-subdomain' | 'invalid-tunnel-host' | 'settings-unreadable';

export type TunnelStartResult = { ok: true; supervisor: TunnelSupervisor } | { ok: false; code: TunnelSetupErrorCode; message: string };

/** The parts of the core the tunnel uses: the receiver's port and probe events, and the status push. */
export type TunnelCore = Pick<HooktrayCore, 'receiver' | 'setTunnelStatus'>;

interface SupervisorSettings {
  host: string;
  subdomain: string;
  probeOrigin: string | undefined;
  timings: TunnelTimings;
  random: () => number;
  now: () => number;
}

/** Checks a localtunnel server URL and returns its origin, which the client appends `/<subdomain>` to. */
export function checkTunnelHost(host: string): { ok: true; origin: string } | { ok: false; message: string } {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return { ok: false, message: `Invalid tunnel host "${host}": use a URL such as ${DEFAULT_TUNNEL_HOST}.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `Invalid tunnel host "${host}": use an http:// or https:// URL, such as ${DEFAULT_TUNNEL_HOST}.` };
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') {
    return { ok: false, message: `Invalid tunnel host "${host}": give only the scheme, host and port, such as ${DEFAULT_TUNNEL_HOST}.` };
  }
  return { ok: true, origin: url.origin };
}

/**
 * Starts the supervised tunnel to the core's receiver; the Electron app, `hooktray ui` and
 * `hooktray listen` all call this. Checks the host and the subdomain before anything connects:
 * a failure there is returned and shown as `offline`, and no connection is tried.
 */
export function startTunnel(core: TunnelCore, options: TunnelOptions, logger: Logger): TunnelStartResult {
  const fail = (code: TunnelSetupErrorCode, message: string): TunnelStartResult => {
    logger.error('tunnel: not started', { code, reason: message });
    core.setTunnelStatus({ state: 'offline', url: null, reason: message });
    return { ok: false, code, message };
  };

  const host = checkTunnelHost(options.host ?? DEFAULT_TUNNEL_HOST);
  if (!host.ok) return fail('invalid-tunnel-host', host.message);
  const subdomain = resolveSubdomain(options.dataDir, options.subdomain);
  if (!subdomain.ok) return fail(subdomain.code, subdomain.message);
  if (subdomain.generated) {
    logger.info('tunnel: generated the subdomain for this install', { subdomain: subdomain.subdomain, settings: settingsPath(options.dataDir) });
  }

  const supervisor = new TunnelSupervisor(
    core,
    {
      host: host.origin,
      subdomain: subdomain.subdomain,
      probeOrigin: options.probeOrigin,
      timings: { ...DEFAULT_TUNNEL_TIMINGS, ...options.timings },
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    },
    logger,
  );
  supervisor.start();
  return { ok: true, supervisor };
}

/**
 * Keeps one localtunnel connection open to the receiver. The client library never
 * reconnects, so on every error and every failed health probe the supervisor closes the
 * client and opens a new one for the same subdomain, after a backoff with jitter.
 */
export class TunnelSupervisor {
  private status: TunnelStatus = { state: 'disabled', url: null, reason: null };
  private client: TunnelClient | null = null;
  /** Counter incremented whenever a client is closed, so callbacks of an older client do nothing. */
  private generation = 0;
  private attempt = 0;
  private onlineSince: number | null = null;
  private subdomainChanged: TunnelStatus['subdomainChanged'];
  private retryTimer: NodeJS.Timeout | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private lastWakeCheck = 0;
  private readonly stopController = new AbortController();

  constructor(
    private readonly core: TunnelCore,
    private readonly settings: SupervisorSettings,
    private readonly logger: Logger,
  ) {}

  get currentStatus(): TunnelStatus {
    return this.status;
  }

  /** The subdomain requested on every connect. */
  get subdomain(): string {
    return this.settings.subdomain;
  }

  start(): void {
    this.logger.info('tunnel: starting', { host: this.settings.host, subdomain: this.settings.subdomain, receiverPort: this.core.receiver.port });
    this.startWakeCheck();
    void this.connect();
  }

  /** Closes the tunnel for good and reports `disabled`. */
  stop(): void {
    if (this.stopController.signal.aborted) return;
    this.stopController.abort();
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    if (this.wakeTimer !== null) clearInterval(this.wakeTimer);
    this.closeClient();
    this.setStatus({ state: 'disabled', url: null, reason: 'The tunnel is turned off.' });
  }

  private async connect(): Promise<void> {
    this.retryTimer = null;
    const generation = this.closeClient();
    // During retries the status stays `reconnecting`, with the attempt number.
    if (this.attempt === 0) this.setStatus({ state: 'connecting', url: null, reason: null });

    const { host, subdomain, timings } = this.settings;
    const signal = AbortSignal.any([AbortSignal.timeout(timings.connectTimeoutMs), this.stopController.signal]);
    const result = await register(host, subdomain, signal, timings.connectTimeoutMs);
    if (this.isStale(generation)) return;
    if (!result.ok) {
      if (result.permanent) this.goOffline(result.message);
      else this.scheduleReconnect(result.message);
      return;
    }

    const registration = result.registration;
    this.logger.info('tunnel: registered', { host, requested: subdomain, assigned: registration.id, url: registration.url, maxConnections: registration.max_conn_count ?? 1 });
    const client = openTunnelClient(this.core.receiver.port, host, registration, (error) => this.handleClientError(generation, error));
    this.client = client;

    const connected = await waitForFirstConnection(client, timings.connectTimeoutMs);
    if (this.isStale(generation)) return;
    if (!connected) {
      this.scheduleReconnect(`No TCP connection to the tunnel server ${host} opened within ${timings.connectTimeoutMs} ms; a firewall may block it.`);
      return;
    }

    const probe = await sendProbe(this.core.receiver, { publicUrl: registration.url, probeOrigin: this.settings.probeOrigin, timeoutMs: timings.probeTimeoutMs });
    if (this.isStale(generation)) return;
    if (!probe.ok) {
      this.degrade(registration.url, probe.message);
      return;
    }
    this.goOnline(registration);
  }

  private goOnline(registration: Registration): void {
    const { subdomain } = this.settings;
    this.onlineSince = this.settings.now();
    this.subdomainChanged = undefined;
    if (registration.id !== subdomain) {
      // The server hands out another subdomain when the requested one is taken, without an error.
      this.subdomainChanged = { previousUrl: urlWithSubdomain(registration.url, subdomain), url: registration.url };
      this.logger.warn('tunnel: the server assigned another subdomain; the URL in providers\' consoles no longer reaches Hooktray', {
        requested: subdomain,
        assigned: registration.id,
        ...this.subdomainChanged,
      });
    }
    this.setStatus(this.withSubdomainChange({ state: 'online', url: registration.url, reason: null }));
    this.scheduleProbe(this.settings.timings.probeIntervalMs);
  }

  private degrade(url: string, reason: string): void {
    this.setStatus(this.withSubdomainChange({ state: 'degraded', url, reason }));
    this.scheduleReconnect(reason);
  }

  private goOffline(reason: string): void {
    this.closeClient();
    this.clearTimer('probeTimer');
    this.onlineSince = null;
    this.setStatus({ state: 'offline', url: null, reason });
  }

  /** Closes the current client and tries again after the backoff delay of the next attempt. */
  private scheduleReconnect(reason: string): void {
    const { timings } = this.settings;
    const now = this.settings.now();
    if (this.onlineSince !== null && now - this.onlineSince >= timings.stableResetMs) this.attempt = 0;
    this.onlineSince = null;
    this.closeClient();
    this.clearTimer('probeTimer');
    this.clearTimer('retryTimer');

    this.attempt += 1;
    const delay = reconnectDelay(this.attempt, timings.backoffBaseMs, timings.backoffMaxMs, this.settings.random());
    this.setStatus({ state: 'reconnecting', url: null, reason, attempt: this.attempt, nextTryAt: new Date(now + delay).toISOString() });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private handleClientError(generation: number, error: Error): void {
    // The library emits one error per pooled connection; only the first one of a client acts.
    if (this.isStale(generation)) {
      this.logger.debug('tunnel: error from a closed tunnel connection ignored', { error: error.message });
      return;
    }
    this.logger.warn('tunnel: connection to the tunnel server failed', { host: this.settings.host, error: error.message });
    this.scheduleReconnect(`The connection to the tunnel server ${this.settings.host} failed: ${error.message}.`);
  }

  private scheduleProbe(delayMs: number): void {
    this.clearTimer('probeTimer');
    this.probeTimer = setTimeout(() => void this.probeNow(), delayMs);
  }

  private async probeNow(): Promise<void> {
    this.probeTimer = null;
    const url = this.status.url;
    if (this.status.state !== 'online' || url === null) return;

    const generation = this.generation;
    const result = await sendProbe(this.core.receiver, { publicUrl: url, probeOrigin: this.settings.probeOrigin, timeoutMs: this.settings.timings.probeTimeoutMs });
    if (this.isStale(generation)) return;

    if (result.ok) {
      this.logger.debug('tunnel: health probe passed', { url });
      this.scheduleProbe(this.settings.timings.probeIntervalMs);
      return;
    }
    this.degrade(url, result.message);
  }

  /**
   * Checks the tunnel at once when the wall clock jumped ahead of the check's period, which
   * happens when the machine slept: its TCP connections are usually dead by then.
   */
  private startWakeCheck(): void {
    const period = this.settings.timings.wakeCheckMs;
    this.lastWakeCheck = this.settings.now();
    this.wakeTimer = setInterval(() => {
      const now = this.settings.now();
      const gapMs = now - this.lastWakeCheck;
      this.lastWakeCheck = now;
      if (gapMs < period * WAKE_GAP_PERIODS) return;

      this.logger.info('tunnel: the clock jumped, as after sleep; checking the tunnel now', { gapMs, state: this.status.state });
      if (this.status.state === 'online') {
        this.clearTimer('probeTimer');
        void this.probeNow();
      } else if (this.status.state === 'reconnecting' && this.retryTimer !== null) {
        this.clearTimer('retryTimer');
        void this.connect();
      }
    }, period);
    // The check alone must not keep a process alive that has nothing else to do.
    this.wakeTimer.unref();
  }

  /** Adds the subdomain change to a status while its URL is the one the server substituted. */
  private withSubdomainChange(status: TunnelStatus): TunnelStatus {
    const changed = this.subdomainChanged;
    return changed === undefined || changed.url !== status.url ? status : { ...status, subdomainChanged: changed };
  }

  private setStatus(status: TunnelStatus): void {
    this.status = status;
    const context = { url: status.url, reason: status.reason, attempt: status.attempt, nextTryAt: status.nextTryAt };
    const quiet = status.state === 'online' || status.state === 'connecting' || status.state === 'disabled';
    if (quiet) this.logger.info(`tunnel: ${status.state}`, context);
    else this.logger.warn(`tunnel: ${status.state}`, context);
    this.core.setTunnelStatus(status);
  }

  /** Closes the current client, if any, and returns the new generation. */
  private closeClient(): number {
    this.generation += 1;
    const client = this.client;
    this.client = null;
    // The error listener stays attached: a closed client can still report failed connections.
    client?.close();
    return this.generation;
  }

  private isStale(generation: number): boolean {
    return generation !== this.generation || this.stopController.signal.aborted;
  }

  private clearTimer(name: 'retryTimer' | 'probeTimer'): void {
    const timer = this[name];
    if (timer !== null) clearTimeout(timer);
    this[name] = null;
  }
}

/** Resolves true once the client's first TCP connection to the server is open, false on error or timeout. */
function waitForFirstConnection(client: TunnelClient, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const finish = (connected: boolean): void => {
      clearTimeout(timer);
      client.off('url', onConnected);
      client.off('error', onError);
      resolve(connected);
    };
    const onConnected = (): void => finish(true);
    const onError = (): void => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    client.once('url', onConnected);
    client.once('error', onError);
  });
}
