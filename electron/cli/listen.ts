import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appVersion, defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { ConfigError, loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { DeliverySummary } from '../core/contract';
import { HooktrayCore } from '../core/hooktray-core';
import type { TunnelSupervisor } from '../core/tunnel';
import { checkTunnelHost, startTunnel } from '../core/tunnel';
import { checkSubdomain } from '../core/tunnel-subdomain';
import { parseTargetUrl } from '../core/target-request';
import { parsePort, UsageError } from './args';
import { formatDeliveryLine, tunnelPrinter } from './format';
import { createCliLogger } from './log';

export const LISTEN_USAGE = `Usage: hooktray listen [options]

Receives webhooks on 127.0.0.1, verifies their signatures, stores them and prints one line each.

Options:
  --port N            receiver port on 127.0.0.1 (default 0: any free port)
  --data-dir DIR      folder for the store and logs (default: ${defaultDataDir()})
  --config FILE       JSON file with profiles, keys, response and retention settings
  --no-tunnel         do not open a public URL
  --subdomain NAME    request this tunnel subdomain: 4 to 63 lowercase letters, digits and hyphens
                      (default: one generated per install and kept in the data folder)
  --tunnel-host URL   localtunnel server to use instead of https://localtunnel.me
  --forward-to URL    after answering, send every delivery to this URL and store its response
  --json              print NDJSON on stdout: a "listening" line, then one line per delivery
                      and one "tunnel" line per tunnel state change
  -h, --help          show this help`;

interface ListenOptions {
  port: number;
  dataDir: string;
  configFile: string | null;
  tunnel: boolean;
  subdomain: string | undefined;
  tunnelHost: string | undefined;
  forwardTo: string | undefined;
  json: boolean;
}

export function parseListenArgs(argv: string[]): ListenOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'no-tunnel': { type: 'boolean', default: false },
      subdomain: { type: 'string' },
      'tunnel-host': { type: 'string' },
      'forward-to': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  // An invalid subdomain or host is a usage error at start, never a reconnect loop.
  const subdomainProblem = values.subdomain === undefined ? null : checkSubdomain(values.subdomain);
  if (subdomainProblem !== null) throw new UsageError(`${subdomainProblem} (--subdomain)`);
  const tunnelHost = values['tunnel-host'] === undefined ? null : checkTunnelHost(values['tunnel-host']);
  if (tunnelHost !== null && !tunnelHost.ok) throw new UsageError(`${tunnelHost.message} (--tunnel-host)`);
  const forwardTo = values['forward-to'] === undefined ? null : parseTargetUrl(values['forward-to']);
  if (forwardTo !== null && !forwardTo.ok) throw new UsageError(`${forwardTo.message} (--forward-to)`);
  return {
    port: parsePort(values.port, 0),
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    configFile: values.config === undefined ? null : resolve(values.config),
    tunnel: !values['no-tunnel'],
    subdomain: values.subdomain,
    tunnelHost: values['tunnel-host'],
    forwardTo: values['forward-to'],
    json: values.json,
  };
}

/** Runs `hooktray listen` until SIGINT or SIGTERM; resolves with the exit code. */
export async function runListen(argv: string[]): Promise<number> {
  const options = parseListenArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${LISTEN_USAGE}\n`);
    return 0;
  }

  const config: HooktrayConfig = options.configFile === null ? parseConfig({}, 'defaults') : loadConfigFile(options.configFile);
  const vault = resolveKeys(config.keyRefs, options.configFile);
  const logger = createCliLogger(options.dataDir, options.json);
  const version = appVersion();

  const core = await HooktrayCore.start({
    version,
    dataDir: options.dataDir,
    port: options.port,
    profiles: config.profiles,
    vault,
    response: config.response,
    retention: config.retention,
    logger,
    ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
  });
  logger.info('listen: started', { version, dataDir: options.dataDir, receiverPort: core.receiver.port, profiles: config.profiles.length });
  if (options.forwardTo !== undefined) {
    core.replays.setForwardRules([{ pathPrefix: '/', target: options.forwardTo }]);
    core.pushes.subscribe('responses.recorded', (response) => {
      if (response.kind !== 'forward') return;
      const outcome = response.error === null ? `${response.status} in ${response.durationMs.toFixed(1)} ms` : response.error.message;
      process.stdout.write(`${options.json ? JSON.stringify({ type: 'forward', ...response }) : `  forwarded ${response.deliveryId} to ${response.target}: ${outcome}`}\n`);
    });
  }

  let tunnel: TunnelSupervisor | null = null;
  // Handlers go in before the listening line: a supervisor may signal as soon as it reads it.
  const stopped = new Promise<number>((resolveExit) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info('listen: stopping', { signal });
      tunnel?.stop();
      core.stop().then(
        () => resolveExit(0),
        (error: unknown) => {
          logger.error('listen: stopping failed', { error: String(error) });
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  core.receiver.on('delivery', (delivery) => {
    print(options.json ? JSON.stringify(deliveryRecord(delivery)) : formatDeliveryLine(delivery));
  });

  const localUrl = core.receiver.localUrl;
  if (options.json) print(JSON.stringify({ type: 'listening', localUrl, publicUrl: null }));
  else print(`Hooktray ${version} listening on ${localUrl} (${options.tunnel ? 'tunnel starting' : 'no tunnel'}); data in ${options.dataDir}`);

  if (options.tunnel) {
    core.pushes.subscribe('tunnel.status', tunnelPrinter(options.json, localUrl, print));
    const started = startTunnel(core, { dataDir: options.dataDir, ...(options.subdomain === undefined ? {} : { subdomain: options.subdomain }), ...(options.tunnelHost === undefined ? {} : { host: options.tunnelHost }) }, logger);
    if (!started.ok) {
      await core.stop();
      throw new ConfigError(started.message);
    }
    tunnel = started.supervisor;
  }

  return await stopped;
}

function deliveryRecord(delivery: DeliverySummary): object {
  return {
    type: 'delivery',
    id: delivery.id,
    receivedAt: delivery.receivedAt,
    method: delivery.method,
    path: delivery.path,
    size: delivery.size,
    truncated: delivery.truncated,
    retryOf: delivery.retryOf,
    verdict: delivery.verdict,
    spike: delivery.spike,
  };
}
