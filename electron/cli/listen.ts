import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appVersion, defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { DeliverySummary } from '../core/contract';
import { HooktrayCore } from '../core/hooktray-core';
import { parsePort } from './args';
import { formatDeliveryLine } from './format';
import { createCliLogger } from './log';

export const LISTEN_USAGE = `Usage: hooktray listen [options]

Receives webhooks on 127.0.0.1, verifies their signatures, stores them and prints one line each.

Options:
  --port N            receiver port on 127.0.0.1 (default 0: any free port)
  --data-dir DIR      folder for the store and logs (default: ${defaultDataDir()})
  --config FILE       JSON file with profiles, keys, response and retention settings
  --no-tunnel         do not open a public URL
  --subdomain NAME    request this tunnel subdomain
  --tunnel-host URL   localtunnel server to use instead of https://localtunnel.me
  --json              print NDJSON on stdout: a "listening" line, then one line per delivery
  -h, --help          show this help`;

interface ListenOptions {
  port: number;
  dataDir: string;
  configFile: string | null;
  tunnel: boolean;
  subdomain: string | undefined;
  tunnelHost: string | undefined;
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
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    port: parsePort(values.port, 0),
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    configFile: values.config === undefined ? null : resolve(values.config),
    tunnel: !values['no-tunnel'],
    subdomain: values.subdomain,
    tunnelHost: values['tunnel-host'],
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

  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const localUrl = core.receiver.localUrl;
  if (options.json) print(JSON.stringify({ type: 'listening', localUrl, publicUrl: null }));
  else print(`Hooktray ${version} listening on ${localUrl} (no tunnel); data in ${options.dataDir}`);

  core.receiver.on('delivery', (delivery) => {
    print(options.json ? JSON.stringify(deliveryRecord(delivery)) : formatDeliveryLine(delivery));
  });

  return await new Promise<number>((resolveExit) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info('listen: stopping', { signal });
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
