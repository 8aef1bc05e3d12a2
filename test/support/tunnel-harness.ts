import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TunnelState, TunnelStatus } from '../../electron/core/contract';
import { HooktrayCore } from '../../electron/core/hooktray-core';
import type { CoreOptions } from '../../electron/core/hooktray-core';
import { MutableVault } from '../../electron/core/key-store';
import type { Logger } from '../../electron/core/logger';
import type { TunnelTimings } from '../../electron/core/tunnel';
import type { LocaltunnelTestServer } from './localtunnel-server';

export const SPIKE_KEY = 'spike-tunnel-test-key';

/**
 * Intervals short enough for a test to see several probes and reconnects in a few seconds.
 * The probe timeout stays at seconds, because a loaded two-core machine can delay a loopback probe.
 */
export const FAST_TIMINGS: TunnelTimings = {
  probeIntervalMs: 1_000,
  probeTimeoutMs: 3_000,
  backoffBaseMs: 300,
  backoffMaxMs: 1_000,
  stableResetMs: 60_000,
  connectTimeoutMs: 5_000,
  wakeCheckMs: 1_000,
};

export interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug';
  message: string;
  context: Record<string, unknown> | undefined;
}

/** Creates a logger that keeps every entry, so tests can check what was logged. */
export function recordingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const record =
    (level: LogEntry['level']) =>
    (message: string, context?: Record<string, unknown>): void => {
      entries.push({ level, message, context });
    };
  return { entries, info: record('info'), warn: record('warn'), error: record('error'), debug: record('debug') };
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hooktray-tunnel-'));
}

/** Starts a core with a Spike profile on `/webhooks/spike` and a store in `dataDir`. */
export async function startSpikeCore(dataDir: string, logger: Logger, receiverTimeouts: CoreOptions['receiverTimeouts'] = {}): Promise<HooktrayCore> {
  return await HooktrayCore.start({
    version: 'test',
    dataDir,
    port: 0,
    receiverTimeouts,
    profiles: [{ name: 'spike', scheme: 'spike', pathPrefix: '/webhooks/spike', options: {} }],
    vault: new MutableVault({ spike: [SPIKE_KEY] }),
    logger,
  });
}

/** Every tunnel status the core pushes, with a way to wait for the next one that matches. */
export class StatusRecorder {
  readonly statuses: TunnelStatus[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(core: HooktrayCore) {
    core.pushes.subscribe('tunnel.status', (status) => {
      this.statuses.push(status);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  states(): TunnelState[] {
    return this.statuses.map((status) => status.state);
  }

  /** Resolves with the first status at index `from` or later that matches. */
  waitFor(predicate: (status: TunnelStatus) => boolean, from = 0, timeoutMs = 20_000): Promise<TunnelStatus> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`No matching tunnel status within ${timeoutMs} ms; states so far: ${this.states().join(', ')}`)), timeoutMs);
      const check = (): void => {
        const found = this.statuses.slice(from).find(predicate);
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else {
          this.waiters.push(check);
        }
      };
      check();
    });
  }

  waitForState(state: TunnelState, from = 0, timeoutMs = 20_000): Promise<TunnelStatus> {
    return this.waitFor((status) => status.state === state, from, timeoutMs);
  }
}

/**
 * Sends a request to a public tunnel URL: the test server's subdomains do not resolve, so it
 * connects to the server's address and names the public host in `Host`, as DNS would route it.
 */
export function sendThroughTunnel(
  server: LocaltunnelTestServer,
  publicUrl: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path,
        headers: { Host: new URL(publicUrl).host, 'Content-Length': String(body.byteLength), ...headers },
        agent: false,
        timeout: 15_000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no response through ${publicUrl} within 15 s`)));
    request.on('error', reject);
    request.end(body);
  });
}

export function waitMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
