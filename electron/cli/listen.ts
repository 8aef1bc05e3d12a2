import { resolve } from 'node:path';
import { appVersion, defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { ConfigError, exposedKeyFileWarnings, loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { DeliverySummary } from '../core/contract';
import { MAX_LOGGED_IDS, receiverLoopProblem } from '../core/forward';
import { HooktrayCore } from '../core/hooktray-core';
import type { TunnelSupervisor } from '../core/tunnel';
import { checkTunnelHost, startTunnel } from '../core/tunnel';
import { checkSubdomain } from '../core/tunnel-subdomain';
import { parseTargetUrl, redactUrl } from '../core/target-url';
import { parseCommandArgs, parsePort, singleValue, UsageError } from './args';
import { checkPathToken } from '../core/receiver-guard';
import { escapeJsonForTerminal, formatDeliveryLine, tunnelPrinter } from './format';
import { SecretScanner } from '../core/export/secret-scanner';
import { cliLogFile, createCliLogger } from './log';
import { dataDirOption, openingDataDir } from './stored';
import { formatStorageLine, startStatsPrinter } from './stats';

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
  --path-token TOKEN  store only requests whose path starts with /TOKEN (4 to 128 letters,
                      digits, - or _) and answer 404 to the rest; the stored path drops the
                      token. Prefer the HOOKTRAY_PATH_TOKEN environment variable: other local
                      users can read command lines
  --rate-limit N      answer 429 with Retry-After to a client sending more than N requests
                      per second (through the tunnel, the first X-Forwarded-For address)
  --stats-interval MS print a "stats" NDJSON line (memory, store size) every MS milliseconds
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
  pathToken: string | null;
  rateLimitPerSecond: number;
  statsIntervalMs: number;
}

export function parseListenArgs(argv: string[]): ListenOptions | 'help' {
  const { values } = parseCommandArgs('listen', {
    args: argv,
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      config: { type: 'string' },
      'no-tunnel': { type: 'boolean', default: false },
      subdomain: { type: 'string' },
      'tunnel-host': { type: 'string' },
      'forward-to': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      'path-token': { type: 'string' },
      'rate-limit': { type: 'string' },
      'stats-interval': { type: 'string' },
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
  const forwardToText = singleValue(values['forward-to'], '--forward-to');
  const forwardTo = forwardToText === undefined ? null : parseTargetUrl(forwardToText);
  if (forwardTo !== null && !forwardTo.ok) throw new UsageError(`${forwardTo.message} (--forward-to)`);
  const port = parsePort(values.port);
  // With --port 0 the receiver's port is known only once it listens, and runListen checks again then.
  const loop = forwardTo === null || port === 0 ? null : receiverLoopProblem(forwardTo.url, { localUrl: `http://127.0.0.1:${port}`, publicUrl: null });
  if (loop !== null) throw new UsageError(`${loop} (--forward-to)`);
  const pathToken = values['path-token'] ?? process.env.HOOKTRAY_PATH_TOKEN ?? null;
  const tokenProblem = pathToken === null ? null : checkPathToken(pathToken);
  if (tokenProblem !== null) throw new UsageError(`${tokenProblem} (--path-token or HOOKTRAY_PATH_TOKEN)`);
  return {
    port,
    dataDir: dataDirOption(values['data-dir']),
    configFile: values.config === undefined ? null : resolve(values.config),
    tunnel: !values['no-tunnel'],
    subdomain: values.subdomain,
    tunnelHost: values['tunnel-host'],
    forwardTo: forwardToText,
    json: values.json,
    pathToken,
    rateLimitPerSecond: parseCount(values['rate-limit'], '--rate-limit', 'requests per second per client; 0 turns the limit off'),
    statsIntervalMs: parseCount(values['stats-interval'], '--stats-interval', 'milliseconds between stats lines; 0 prints none'),
  };
}

function parseCount(text: string | undefined, option: string, meaning: string): number {
  if (text === undefined) return 0;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`Invalid ${option} "${text}": use a whole number of ${meaning}.`);
  return value;
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
  const logger = createCliLogger(options.dataDir);
  for (const warning of exposedKeyFileWarnings(config.keyRefs, options.configFile)) logger.warn(`listen: ${warning}`);
  const version = appVersion();

  // A data folder that cannot hold the store, or a damaged database in it, is a usage error.
  const core = await openingDataDir(options.dataDir, () => HooktrayCore.start({
    version,
    dataDir: options.dataDir,
    port: options.port,
    profiles: config.profiles,
    vault,
    response: config.response,
    retention: config.retention,
    logger,
    ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
    guard: { pathToken: options.pathToken, rateLimitPerSecond: options.rateLimitPerSecond },
  }));
  // With --port 0 the receiver's port is known only now, so the --forward-to URL is checked against it here.
  const forwardTarget = options.forwardTo === undefined ? null : core.replays.forwarder.checkTarget(options.forwardTo);
  if (forwardTarget !== null && !forwardTarget.ok) {
    await core.stop();
    throw new UsageError(`${forwardTarget.message} (--forward-to)`);
  }
  logger.info('listen: started', { version, dataDir: options.dataDir, receiverPort: core.receiver.port, profiles: config.profiles.length });
  const output = bufferedOutput((text) => process.stdout.write(options.json ? escapeJsonForTerminal(text) : text));
  const print = output.print;
  if (options.forwardTo !== undefined) {
    core.replays.setForwardRules([{ pathPrefix: '/', target: options.forwardTo }]);
    core.pushes.subscribe('responses.recorded', (response) => {
      if (response.kind !== 'forward') return;
      const line =
        response.error === null
          ? `  forwarded ${response.deliveryId} to ${response.target}: ${response.status} in ${response.durationMs.toFixed(1)} ms`
          : `  forwarding ${response.deliveryId} to ${response.target} failed: ${response.error.message}`;
      output.print(options.json ? JSON.stringify({ type: 'forward', ...response }) : line);
    });
  }

  let tunnel: TunnelSupervisor | null = null;
  let stopRequested = false;
  let requestStop: (reason: StopReason) => void = () => {};
  // Handlers go in before the listening line: a supervisor may signal as soon as it reads it.
  const stopped = new Promise<number>((resolveExit) => {
    const stop = (reason: StopReason): void => {
      stopRequested = true;
      logger.info('listen: stopping', { reason });
      tunnel?.stop();
      core.stop().then(
        () => {
          const { forwarder } = core.replays;
          printNotForwarded({ inFlight: forwarder.inFlightAtStop, notSent: forwarder.notForwarded }, options, logger.writesLogFile(), print);
          output.flush();
          // A reader that closed stdout chose to stop reading; any other write failure lost output.
          resolveExit(reason === 'stdout failed' ? 1 : 0);
        },
        (error: unknown) => {
          logger.error('listen: stopping failed', { error: String(error) });
          resolveExit(1);
        },
      );
    };
    requestStop = stop;
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

  // A reader that goes away, such as `head` after its lines or a jq that failed, makes every
  // later write to stdout fail with EPIPE. Without this listener the error would end the process
  // while deliveries are in flight, so listen stops as on SIGTERM and keeps what it received.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    output.close();
    if (stopRequested) return;
    const closed = error.code === 'EPIPE';
    const problem = closed ? 'stdout was closed by its reader' : `writing to stdout failed (${error.message})`;
    logger.warn(`listen: ${problem}, so listen stops; every delivery received so far is stored`);
    requestStop(closed ? 'stdout closed' : 'stdout failed');
  });

  // The text line shortens long values, and the JSON line keeps them whole.
  const deliveryLine = (delivery: DeliverySummary, maxShownChars?: number): string =>
    options.json ? JSON.stringify(deliveryRecord(delivery)) : formatDeliveryLine(delivery, maxShownChars);
  // A sender can put a key into a path or a Spike user id, and keys never go to stdout. The
  // search covers whole values, because a shortened value may still show the start of a key.
  const keys = new SecretScanner(config.profiles.flatMap((profile) => [...vault.keysFor(profile.name)]));
  core.receiver.on('delivery', (delivery) => {
    const containsKey = keys.containsText(deliveryLine(delivery, Infinity));
    print(deliveryLine(containsKey ? { ...delivery, path: WITHHELD_PATH, spike: null } : delivery));
  });
  core.pushes.subscribe('storage.status', (status) => print(options.json ? JSON.stringify({ type: 'storage', ...status }) : formatStorageLine(status)));
  if (options.statsIntervalMs > 0) startStatsPrinter(core, options.statsIntervalMs, print);

  const localUrl = core.receiver.localUrl;
  if (options.json) print(JSON.stringify({ type: 'listening', localUrl, publicUrl: null }));
  else print(`Hooktray ${version} listening on ${localUrl} (${options.tunnel ? 'tunnel starting' : 'no tunnel'}); data in ${options.dataDir}`);
  if (options.pathToken !== null && !options.json) print('Path token on: only paths that start with /<token> are stored; add it to the URL you give providers.');

  if (options.tunnel) {
    core.pushes.subscribe('tunnel.status', tunnelPrinter(options.json, localUrl, print));
    if (options.json) {
      // The listening line is printed again with each new public URL, so a script can wait for the one that has it.
      let publicUrl: string | null = null;
      core.pushes.subscribe('tunnel.status', (status) => {
        if (status.state !== 'online' || status.url === null || status.url === publicUrl) return;
        publicUrl = status.url;
        print(JSON.stringify({ type: 'listening', localUrl, publicUrl }));
      });
    }
    const started = startTunnel(core, { dataDir: options.dataDir, ...(options.subdomain === undefined ? {} : { subdomain: options.subdomain }), ...(options.tunnelHost === undefined ? {} : { host: options.tunnelHost }) }, logger);
    if (!started.ok) {
      await core.stop();
      throw new ConfigError(started.message);
    }
    tunnel = started.supervisor;
  }

  return await stopped;
}

/** Why listen stops: a signal, or stdout that can no longer be written. */
type StopReason = NodeJS.Signals | 'stdout closed' | 'stdout failed';

/**
 * Prints the delivery whose forward was in flight when listen stopped, which the target may
 * already have, and how many deliveries were never sent, and how to re-send them. The log
 * lists the ids of those never sent, in the log file unless `writesLogFile` is false and lines
 * go to stderr only. The log and the NDJSON record list the first MAX_LOGGED_IDS of them.
 */
function printNotForwarded(
  stopped: { inFlight: readonly string[]; notSent: readonly string[] },
  options: ListenOptions,
  writesLogFile: boolean,
  print: (line: string) => void,
): void {
  const { inFlight, notSent: ids } = stopped;
  if ((inFlight.length === 0 && ids.length === 0) || options.forwardTo === undefined) return;
  const target = redactUrl(new URL(options.forwardTo));
  const resend = `hooktray replay ID --to ${target} --data-dir ${options.dataDir}`;
  if (options.json) {
    print(JSON.stringify({ type: 'forward-stopped', target, notForwarded: ids.length, ids: ids.slice(0, MAX_LOGGED_IDS), inFlight: inFlight.length, inFlightIds: inFlight }));
    return;
  }
  if (inFlight.length > 0) {
    const subject = inFlight.length === 1 ? `Delivery ${inFlight[0]} was` : `Deliveries ${inFlight.join(', ')} were`;
    const pronoun = inFlight.length === 1 ? 'it' : 'them';
    print(`${subject} being forwarded to ${target} when listen stopped, so the target may already have ${pronoun}; check the target before you re-send ${pronoun} with: ${resend}`);
  }
  if (ids.length === 0) return;
  const count = ids.length === 1 ? '1 delivery was' : `${ids.length} deliveries were`;
  const logFile = cliLogFile(options.dataDir);
  const where = writesLogFile ? `in the warning above and in ${logFile}` : `only in the warning above on stderr, because the log file ${logFile} cannot be written`;
  const listed = ids.length > MAX_LOGGED_IDS ? `the first ${MAX_LOGGED_IDS} of their ids are ${where}, and the other ${ids.length - MAX_LOGGED_IDS} arrived after those` : `their ids are ${where}`;
  print(`${count} not forwarded to ${target} before listen stopped; ${listed}. Re-send each with: ${resend}`);
}

/**
 * Collects printed lines and writes them once per event-loop turn, so a burst of deliveries
 * costs one write to stdout instead of one per line.
 */
function bufferedOutput(write: (text: string) => void): { print(line: string): void; flush(): void; close(): void } {
  let lines: string[] = [];
  let scheduled = false;
  let closed = false;
  const flush = (): void => {
    scheduled = false;
    if (closed || lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    lines = [];
    write(text);
  };
  return {
    print(line) {
      if (closed) return;
      lines.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
    /** Drops the lines not yet written and every later one, once stdout cannot be written. */
    close() {
      closed = true;
      lines = [];
    },
  };
}

/** The path printed, without the Spike summary, for a delivery whose line would contain a configured key. */
const WITHHELD_PATH = '[withheld: contains a configured key]';

function deliveryRecord(delivery: DeliverySummary): object {
  return {
    type: 'delivery',
    id: delivery.id,
    receivedAt: delivery.receivedAt,
    method: delivery.method,
    path: delivery.path,
    size: delivery.size,
    truncated: delivery.truncated,
    truncatedReason: delivery.truncatedReason,
    retryOf: delivery.retryOf,
    verdict: delivery.verdict,
    spike: delivery.spike,
  };
}
