import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appVersion, defaultDataDir } from '../core/app-info';
import { coreApi } from '../core/bridge/core-api';
import { UiBridge } from '../core/bridge/bridge-server';
import { defaultRendererDir } from '../core/bridge/static-files';
import type { HooktrayConfig } from '../core/config';
import { exposedKeyFileWarnings, loadConfigFile, resolveKeys } from '../core/config';
import { HooktrayCore } from '../core/hooktray-core';
import { MemoryKeyStore, MutableVault } from '../core/key-store';
import type { Logger } from '../core/logger';
import type { Settings } from '../core/contract';
import { SETTINGS_FILE_NAME, SettingsService, loadSettingsFile } from '../core/settings';
import { superviseTunnelFromSettings } from '../core/tunnel-settings';
import { parseCommandArgs, parsePort, UsageError } from './args';
import { tunnelPrinter } from './format';
import { createCliLogger } from './log';
import { dataDirOption, openingDataDir } from './stored';

export const UI_USAGE = `Usage: hooktray ui [options]

Receives webhooks like "hooktray listen" and serves the inspector UI to a browser on
127.0.0.1, behind a random token in the URL it prints. The token stays valid until hooktray ui
stops, so keep the URL private.

Options:
  --port N            UI port on 127.0.0.1 (default 0: any free port)
  --receiver-port N   receiver port on 127.0.0.1, the one a tunnel exposes (default 0: any free port)
  --data-dir DIR      folder for the store, settings and logs (default: ${defaultDataDir()})
  --config FILE       JSON file with profiles, keys, response and retention settings; its values
                      replace the saved settings for this session
  --no-tunnel         do not open a public URL
  --open              open the UI in the default browser
  -h, --help          show this help

Keys typed into the UI are kept in memory until hooktray ui stops; keys that should last
belong in the --config file as {"env": NAME} or {"file": PATH} references.
The tunnel host, subdomain, path token and rate limit are set in the UI's Settings dialog,
which saves them to settings.json in the data folder.`;

interface UiOptions {
  port: number;
  receiverPort: number;
  dataDir: string;
  configFile: string | null;
  tunnel: boolean;
  open: boolean;
}

export function parseUiArgs(argv: string[]): UiOptions | 'help' {
  const { values } = parseCommandArgs('ui', {
    args: argv,
    options: {
      port: { type: 'string' },
      'receiver-port': { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'no-tunnel': { type: 'boolean', default: false },
      open: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';

  const port = parsePort(values.port);
  const receiverPort = parsePort(values['receiver-port'], '--receiver-port');
  if (port !== 0 && port === receiverPort) {
    throw new UsageError(`--port and --receiver-port are both ${port}: the UI never shares the receiver's port, which a tunnel exposes; choose two ports.`);
  }
  return {
    port,
    receiverPort,
    dataDir: dataDirOption(values['data-dir']),
    configFile: values.config === undefined ? null : resolve(values.config),
    tunnel: !values['no-tunnel'],
    open: values.open,
  };
}

/**
 * Builds the settings service: saved settings from the data folder, with the config file's
 * profiles, response and retention on top, and the config's keys in a memory-only vault.
 */
async function openSettings(options: UiOptions, config: HooktrayConfig | null, logger: Logger): Promise<SettingsService> {
  const file = join(options.dataDir, SETTINGS_FILE_NAME);
  let initial: Settings = loadSettingsFile(file);
  const keyStore = new MemoryKeyStore();
  const vault = new MutableVault(await keyStore.load());

  if (config !== null) {
    initial = { ...initial, profiles: config.profiles, response: config.response, retention: config.retention };
    const configKeys = resolveKeys(config.keyRefs, options.configFile);
    for (const warning of exposedKeyFileWarnings(config.keyRefs, options.configFile)) logger.warn(`ui: ${warning}`);
    for (const [profile, refs] of config.keyRefs) {
      if (refs.length > 0) vault.set(profile, configKeys.keysFor(profile));
    }
  }
  return new SettingsService({ file, keyStore, vault, initial, logger });
}

/** Runs `hooktray ui` until SIGINT or SIGTERM; resolves with the exit code. */
export async function runUi(argv: string[]): Promise<number> {
  const options = parseUiArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${UI_USAGE}\n`);
    return 0;
  }
  const rendererDir = defaultRendererDir();
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(`hooktray ui: the inspector UI is not built (no ${join(rendererDir, 'index.html')}): run "npm run build" in the Hooktray folder first.\n`);
    return 1;
  }

  const logger = createCliLogger(options.dataDir);
  const version = appVersion();
  const config = options.configFile === null ? null : loadConfigFile(options.configFile);
  const settings = await openSettings(options, config, logger);
  const initial = settings.current;

  // A data folder that cannot hold the store, or a damaged database in it, is a usage error.
  const core = await openingDataDir(options.dataDir, () => HooktrayCore.start({
    version,
    dataDir: options.dataDir,
    port: options.receiverPort,
    profiles: initial.profiles,
    vault: settings.vault,
    response: initial.response,
    retention: initial.retention,
    logger,
    settings,
    ...(config?.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
  }));
  let bridge: UiBridge;
  try {
    bridge = await UiBridge.start({ api: coreApi(core), port: options.port, rendererDir, logger });
  } catch (error) {
    await core.stop();
    throw new UsageError(`Cannot listen on 127.0.0.1:${options.port} for the UI (${(error as NodeJS.ErrnoException).code ?? String(error)}): choose another --port.`);
  }
  logger.info('ui: started', { version, dataDir: options.dataDir, uiPort: bridge.port, receiverPort: core.receiver.port, tunnel: options.tunnel });

  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  print(`Hooktray ${version} UI: ${bridge.url}`);
  print(`Receiving webhooks on ${core.receiver.localUrl} (${options.tunnel ? 'tunnel starting' : 'no tunnel'}); data in ${options.dataDir}`);
  let tunnel: { stop(): void } | null = null;
  if (options.tunnel) {
    core.pushes.subscribe('tunnel.status', tunnelPrinter(false, core.receiver.localUrl, print));
    tunnel = await superviseTunnelFromSettings(core, options.dataDir, logger);
  }
  if (options.open) openBrowser(bridge.createLaunchUrl(), logger);

  return await new Promise<number>((resolveExit) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info('ui: stopping', { signal });
      tunnel?.stop();
      Promise.all([bridge.close(), core.stop()]).then(
        () => resolveExit(0),
        (error: unknown) => {
          logger.error('ui: stopping failed', { error: String(error) });
          resolveExit(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Opens a URL in the default browser; the URL carries a single-use token, so a process list reveals nothing lasting. */
function openBrowser(url: string, logger: Logger): void {
  const [command, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', (error) => {
    logger.warn('ui: opening a browser failed; open the printed URL yourself', { command, error: String(error) });
  });
  child.unref();
}
