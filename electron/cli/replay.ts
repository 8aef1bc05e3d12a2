import { isUtf8 } from 'node:buffer';
import { resolve } from 'node:path';
import { defaultDataDir } from '../core/app-info';
import { decodeContent } from '../core/content-encoding';
import type { TargetResponse } from '../core/contract';
import { findHeader } from '../core/headers';
import { buildReplayRequest, sendReplay } from '../core/replay';
import { TargetResponseStore } from '../core/replay-store';
import { findProfile } from '../core/signatures/verify';
import { maskUrlPassword, parseTargetUrl, redactUrl } from '../core/target-url';
import { parseCommandArgs, singleValue, UsageError } from './args';
import { escapeControl, formatSize } from './format';
import { explainStoreDamage, loadSigning, openStore, parseDeliveryId, signingProfile } from './stored';

export const REPLAY_USAGE = `Usage: hooktray replay ID --to URL [options]

Sends a stored delivery again: the same body bytes and headers in received order, with Host
and Content-Length set for the target. The target's response is stored with the delivery.
Exits with 0 when the target answered 2xx, 1 when it answered otherwise or could not be
reached, and 2 for usage, configuration and input errors, such as a delivery whose body
was over the limit and not stored.

Options:
  --to URL            http or https URL to send to, such as http://localhost:3000/webhooks
  --resign            sign again with the newest key of the profile covering the path (from
                      --config), with a fresh timestamp for timestamped schemes
  --profile NAME      sign with this profile instead
  --config FILE       JSON file with profiles and keys, needed for --resign
  --data-dir DIR      folder of the store (default: ${defaultDataDir()})
  --timeout MS        time allowed for the target's answer, in ms (default 30000)
  -h, --help          show this help`;

/** Number of response body bytes printed; the stored record keeps up to 1 MiB. */
const PRINTED_BODY_BYTES = 2048;

/** Runs `hooktray replay`; resolves with the exit code. */
export async function runReplay(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', {
    args: argv,
    options: {
      to: { type: 'string', multiple: true },
      resign: { type: 'boolean', default: false },
      profile: { type: 'string' },
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(`${REPLAY_USAGE}\n`);
    return 0;
  }

  const [given, ...extra] = positionals;
  if (given === undefined || extra.length > 0) throw new UsageError('Expected exactly one delivery id, such as "hooktray replay 01JRQ8Z6X3K2M4N5P6Q7R8S9T0 --to http://localhost:3000/".');
  const id = parseDeliveryId(given);
  if (id === null) throw new UsageError(`Invalid delivery id "${escapeControl(given)}": ids are 26-character ULIDs as "hooktray listen" prints them.`);
  const to = singleValue(values.to, '--to');
  if (to === undefined) throw new UsageError('Missing --to URL: give the URL to send the delivery to, such as http://localhost:3000/webhooks.');
  const target = parseTargetUrl(to);
  if (!target.ok) throw new UsageError(target.message);
  const timeoutMs = parseTimeout(values.timeout);

  const signs = values.resign || values.profile !== undefined;
  if (signs && values.config === undefined) {
    throw new UsageError(`${values.resign ? '--resign' : '--profile'} signs with a profile's key, so it needs --config FILE naming the profiles and keys.`);
  }
  const configFile = signs && values.config !== undefined ? resolve(values.config) : null;
  const signing = configFile === null ? null : { ...loadSigning(configFile), configFile };
  const store = openStore(values['data-dir']);
  try {
    const delivery = store.get(id);
    if (delivery === null) throw new UsageError(`Delivery ${id} is not in the store at ${store.file}; check the id and --data-dir.`);
    if (signing !== null) {
      signingProfile({
        ...signing,
        name: values.profile,
        fallback: (profiles) => findProfile(profiles, delivery.path),
        fallbackMissing: `No profile in ${signing.configFile} covers the path ${escapeControl(delivery.path)} of delivery ${id}`,
      });
    }

    const resign = signing === null ? undefined : {
      profiles: signing.config.profiles,
      vault: signing.vault,
      now: Date.now(),
      ...(values.profile === undefined ? {} : { profileName: values.profile }),
    };
    const built = buildReplayRequest(delivery, target.url, {}, resign);
    // Each reason a request cannot be built, such as a body never stored or a profile without
    // a key, lies in the delivery or the configuration, so it is an input error.
    if (!built.ok) throw new UsageError(built.message);

    const answer = await sendReplay(id, 'replay', built, { timeoutMs });
    new TargetResponseStore(store.database).add(answer);
    if (answer.error !== null) {
      process.stderr.write(`hooktray replay: ${escapeControl(answer.error.message)}\n`);
      return 1;
    }

    const resigned = built.resigned ? ', re-signed' : '';
    process.stdout.write(`${answer.status} from ${answer.target} in ${answer.durationMs.toFixed(1)} ms (${formatSize(answer.bodySize)} response${resigned})\n`);
    const redirect = redirectNote(answer.status, findHeader(answer.headers, 'location') ?? null, target.url);
    if (redirect !== null) process.stdout.write(`${redirect}\n`);
    const preview = responsePreview(answer);
    if (preview !== '') process.stdout.write(`${preview}\n`);
    return answer.status !== null && answer.status >= 200 && answer.status < 300 ? 0 : 1;
  } catch (error) {
    throw explainStoreDamage(error, store);
  } finally {
    store.close();
  }
}

/**
 * Returns the start of a target's response body for the terminal. An encoded body is decoded
 * first when it was stored whole; a body that is not UTF-8 text is described, not printed.
 */
export function responsePreview(answer: Pick<TargetResponse, 'headers' | 'body' | 'bodySize'>): string {
  if (answer.body.byteLength === 0) return '';
  let bytes = Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
  let note = '';
  const encoding = findHeader(answer.headers, 'content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity') {
    const stored = answer.bodySize === bytes.byteLength ? decodeContent(bytes, encoding) : { bytes: null, error: 'only the first 1 MiB of it was stored' };
    if (stored.bytes === null) return `(${formatSize(answer.bodySize)} body in ${escapeControl(encoding)}, not shown: ${stored.error ?? 'decoding failed'})`;
    bytes = stored.bytes;
    note = ` (decoded from ${escapeControl(encoding)})`;
  }
  const start = bytes.subarray(0, PRINTED_BODY_BYTES);
  if (!isUtf8Start(start, bytes.byteLength > PRINTED_BODY_BYTES)) return `(${formatSize(bytes.byteLength)} of binary data, not shown${note})`;
  // Line breaks are safe on a terminal; every other control character is escaped.
  const printable = start.toString('utf8').split('\n').map(escapeControl).join('\n');
  return `${printable}${bytes.byteLength > PRINTED_BODY_BYTES ? ' …' : ''}${note}`;
}

/**
 * Returns what to do about a redirect, with its Location resolved against `target` and shown
 * with any password masked and control characters escaped, or null for a status that is no redirect.
 */
export function redirectNote(status: number | null, location: string | null, target: URL): string | null {
  if (status === null || status < 300 || status >= 400) return null;
  if (location === null) return 'Redirects are not followed, and the response has no Location header; check the target URL.';
  let locationText: string;
  try {
    locationText = redactUrl(new URL(location, target));
  } catch {
    // A Location that is no URL reference is shown as sent.
    locationText = maskUrlPassword(location);
  }
  return `Redirects are not followed; the target redirects to ${escapeControl(locationText)}, so send to that URL if it handles the webhook.`;
}

/** Returns true when the bytes are UTF-8, allowing a character cut off at their end when `cutOff`. */
function isUtf8Start(bytes: Buffer, cutOff: boolean): boolean {
  for (let cut = 0; cut <= (cutOff ? 3 : 0); cut++) {
    if (isUtf8(bytes.subarray(0, bytes.byteLength - cut))) return true;
  }
  return false;
}

/** Parses `--timeout`: whole milliseconds from 1 to 600000. */
export function parseTimeout(text: string | undefined): number {
  if (text === undefined) return 30_000;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 600_000) {
    throw new UsageError(`Invalid --timeout "${escapeControl(text)}": use whole milliseconds from 1 to 600000.`);
  }
  return value;
}
