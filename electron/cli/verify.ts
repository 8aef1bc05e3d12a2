import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import { decodeContent } from '../core/content-encoding';
import type { HeaderPair, TruncatedReason, Verdict } from '../core/contract';
import { TRUNCATED_REASONS } from '../core/contract';
import { NotRegularFileError, parseJson, readFileBesideFixture, readNamedFileSync } from '../core/export/import-files';
import { fixtureBody, ImportFormatError, importedReason, KEY_PART_NOT_SHOWN } from '../core/export/import-parse';
import { INDEX_FILE } from '../core/fixtures';
import { findHeader } from '../core/headers';
import { notStoredVerdict } from '../core/ingest';
import { containsKeyPart } from '../core/signatures/key-spellings';
import type { SignedRequest } from '../core/signatures/types';
import { verifyDelivery } from '../core/signatures/verify';
import { parseCommandArgs, UsageError } from './args';
import { escapeControl, formatVerdict } from './format';
import { dataDirOption, explainStoreDamage, openStore, parseDeliveryId, STORE_FILE } from './stored';

export const VERIFY_USAGE = `Usage: hooktray verify <id | fixture file> [options]

Checks the signature of a stored delivery or of a fixture file against the profiles and keys
of a configuration, and prints the verdict and, when the signature is invalid, why.

Options:
  --config FILE       JSON file with the profiles and keys to verify with (none: only detects the scheme)
  --data-dir DIR      folder of the store that holds the delivery (default: ${defaultDataDir()})
  --public-url URL    public URL the provider posted to, for schemes that sign it (Twilio);
                      it overrides the profile's publicUrl option, and without it a stored
                      delivery uses the option or else the tunnel URL it arrived through
  --json              print one JSON object with the source and the verdict
  -h, --help          show this help

Exit status: 0 when the signature is valid, 1 for any other verdict, 2 for usage,
configuration and input errors.`;

/** A request read from a fixture file: the fields verification needs, bytes exact. */
export interface FixtureRequest {
  method: string;
  path: string;
  headers: HeaderPair[];
  body: Buffer;
  /** Receive time, ISO 8601, when the fixture records one. */
  receivedAt: string | null;
  /** Reason the delivery's body was not stored, or null when it was. */
  notStored: TruncatedReason | null;
}

const fixtureSchema = z.looseObject({
  method: z.string().min(1),
  // The request target as received, which may also be `*` or an absolute URL, as import accepts.
  path: z.string().min(1),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.object({ encoding: z.enum(['utf8', 'base64']), data: z.string() }),
  /** A file beside the fixture with the exact body bytes, as `hooktray export` writes. */
  bodyFile: z.string().min(1).optional(),
  bodySha256: z.string().optional(),
  receivedAt: z.iso.datetime({ offset: true }).optional(),
  truncated: z.boolean().optional(),
  truncatedReason: z.enum(TRUNCATED_REASONS).nullable().optional(),
});

/**
 * Validates a fixture's JSON: `method`, `path`, `headers` as ordered pairs and `body` as
 * `{encoding: "utf8" | "base64", data}`; other fields are allowed. `origin` names it in messages,
 * and a `.body` file that no longer matches `bodySha256` adds a line to `warnings`.
 */
export function parseFixtureRequest(
  json: unknown,
  origin: string,
  bodyFileBytes: (name: string) => Buffer | null = () => null,
  warnings: string[] = [],
): FixtureRequest {
  const result = fixtureSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue === undefined || issue.path.length === 0 ? '(root)' : issue.path.join('.');
    throw new UsageError(`${origin} is not a fixture: field "${field}": ${issue?.message ?? 'invalid value'}.`);
  }

  const fixture = result.data;
  const fromFile = fixture.bodyFile === undefined ? null : bodyFileBytes(fixture.bodyFile);
  const body = fixtureBody(Buffer.from(fixture.body.data, fixture.body.encoding), fromFile, fixture.bodySha256, origin, warnings);
  return {
    method: fixture.method,
    path: fixture.path,
    headers: fixture.headers,
    body,
    receivedAt: fixture.receivedAt ?? null,
    notStored: importedReason(fixture.truncated ?? false, fixture.truncatedReason),
  };
}

/**
 * Reads a fixture file and the body file beside it, when it names one. A message about text
 * that is not JSON leaves out the text when it contains part of one of `keys`.
 */
export function readFixtureFile(file: string, keys: readonly string[] = []): FixtureRequest {
  let bytes: Buffer;
  try {
    bytes = readNamedFileSync(file);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new UsageError(`${error.message}: give a delivery id or a fixture file.`);
    throw new UsageError(`Cannot read the fixture file ${file}: ${(error as Error).message}.`);
  }
  let json: unknown;
  try {
    json = parseJson(bytes, `The fixture file ${file}`, keys);
  } catch (error) {
    if (error instanceof ImportFormatError) throw new UsageError(error.message);
    throw error;
  }
  const bodyFileBytes = (name: string): Buffer | null => {
    // Only a plain file name beside the fixture: a fixture must not point anywhere else on disk.
    if (name.includes('/') || name.includes('\\')) return null;
    try {
      return readFileBesideFixture(file, name);
    } catch (error) {
      if (error instanceof ImportFormatError) throw new UsageError(error.message);
      throw error;
    }
  };
  const warnings: string[] = [];
  const fixture = parseFixtureRequest(json, file, bodyFileBytes, warnings);
  for (const warning of warnings) process.stderr.write(`hooktray verify: ${warning}\n`);
  return fixture;
}

interface VerifyOptions {
  target: string;
  configFile: string | null;
  dataDir: string;
  publicUrl: string | null;
  json: boolean;
}

function parseVerifyArgs(argv: string[]): VerifyOptions | 'help' {
  const { values, positionals } = parseCommandArgs('verify', {
    args: argv,
    options: {
      config: { type: 'string' },
      'data-dir': { type: 'string' },
      'public-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) {
    const passed = positionals.length === 0 ? 'none' : `${positionals.length}: ${positionals.join(' ')}`;
    throw new UsageError(`Pass exactly one delivery id or fixture file (given ${passed}), for example: hooktray verify 01JABC… --config hooktray.json`);
  }
  const publicUrl = values['public-url'] ?? null;
  if (publicUrl !== null && !/^https?:\/\/[^/]/.test(publicUrl)) throw new UsageError(`Invalid --public-url "${publicUrl}": use an http(s) URL such as https://name.loca.lt.`);
  return {
    target: positionals[0] as string,
    configFile: values.config === undefined ? null : resolve(values.config),
    dataDir: dataDirOption(values['data-dir']),
    publicUrl,
    json: values.json,
  };
}

/** The stored delivery or fixture file being verified, as a request with its receive time. */
interface VerifySource {
  kind: 'delivery' | 'fixture';
  name: string;
  request: SignedRequest;
  receivedAt: string | null;
  storedVerdict: Verdict | null;
  notStored: TruncatedReason | null;
}

function isFixturePath(target: string): boolean {
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw new UsageError(folderMessage(target));
    return true;
  }
  if (/[\\/]|\.json$/i.test(target)) throw new UsageError(`The fixture file ${target} was not found: check the path, or pass a delivery id.`);
  return false;
}

/** Builds the message for a folder passed as the target, naming a fixture file in it as an example. */
function folderMessage(folder: string): string {
  const start = `${folder} is a folder, but verify checks one delivery at a time`;
  if (existsSync(join(folder, STORE_FILE))) return `${start}: pass a delivery id with --data-dir ${folder} to verify a delivery from the store in it.`;

  let fixtureNames: string[] = [];
  try {
    fixtureNames = readdirSync(folder).filter((name) => name.endsWith('.json') && name !== INDEX_FILE);
  } catch {
    // An unreadable folder only loses the example file name.
  }
  const example = fixtureNames.sort()[0];
  const file = example === undefined ? "one fixture's .json file" : `one fixture's .json file, such as ${join(folder, example)}`;
  return `${start}: pass ${file}, or a delivery id with --data-dir naming the store's folder.`;
}

function fixtureSource(file: string, publicUrl: string | null, keys: readonly string[]): VerifySource {
  const fixture = readFixtureFile(file, keys);
  const encoding = findHeader(fixture.headers, 'Content-Encoding')?.trim().toLowerCase();
  const decoded = encoding === undefined || encoding === '' ? { bytes: null, error: null } : decodeContent(fixture.body, encoding);
  return {
    kind: 'fixture',
    name: file,
    request: {
      method: fixture.method,
      path: fixture.path,
      headers: fixture.headers,
      body: fixture.body,
      decodedBody: decoded.bytes,
      decodeError: decoded.error,
      publicUrl: null,
      publicUrlOverride: publicUrl ?? undefined,
    },
    receivedAt: fixture.receivedAt,
    storedVerdict: null,
    notStored: fixture.notStored,
  };
}

function deliverySource(target: string, dataDir: string, publicUrl: string | null): VerifySource {
  // Stored ids are ULIDs, apart from some added through the store's API, so another text is looked up too.
  const ulid = parseDeliveryId(target);
  const notAnId = `${target} is neither a delivery id (26-character ULID) nor a fixture file: check the id or the path.`;
  if (ulid === null && !existsSync(join(dataDir, STORE_FILE))) throw new UsageError(notAnId);
  const id = ulid ?? target;
  const store = openStore(dataDir);
  try {
    const delivery = store.get(id);
    if (delivery === null) throw new UsageError(ulid === null ? notAnId : `No delivery has the id ${id} in ${dataDir}; list ids with hooktray listen --json or the app.`);
    const { method, path, headers, body, decodedBody, decodeError } = delivery;
    return {
      kind: 'delivery',
      name: id,
      request: { method, path, headers, body, decodedBody, decodeError, publicUrl: store.publicUrlAtArrival(id) ?? null, publicUrlOverride: publicUrl ?? undefined },
      receivedAt: delivery.receivedAt,
      storedVerdict: delivery.verdict,
      notStored: delivery.truncated ? (delivery.truncatedReason ?? 'body-limit') : null,
    };
  } catch (error) {
    throw explainStoreDamage(error, store);
  } finally {
    store.close();
  }
}

/**
 * Formats the verdict for a terminal. The request's path is left out when it contains part of
 * one of `keys`, as a key in a query string would.
 */
function formatReport(source: VerifySource, verdict: Verdict, keys: readonly string[]): string {
  const line = (label: string, text: string): string => `${label.padEnd(11)}${text}`;
  const { method, path } = source.request;
  const shownPath = keys.length > 0 && containsKeyPart(path, keys) ? `path ${KEY_PART_NOT_SHOWN}` : escapeControl(path);
  const lines = [
    line(source.kind === 'delivery' ? 'Delivery' : 'Fixture', `${escapeControl(source.name)} (${escapeControl(method)} ${shownPath})`),
    line('Verdict', `${formatVerdict(verdict)}${verdict.profile === null ? '' : `, profile "${escapeControl(verdict.profile)}"`}`),
    line('Reason', escapeControl(verdict.reason)),
  ];
  if (verdict.diagnosis !== undefined) lines.push(line('Diagnosis', escapeControl(verdict.diagnosis)));
  if (source.storedVerdict !== null && source.storedVerdict.status !== verdict.status) {
    lines.push(line('Stored', `${formatVerdict(source.storedVerdict)} (the verdict recorded on arrival)`));
  }
  return lines.join('\n');
}

/** Runs `hooktray verify` and resolves with the exit code: 0 valid, 1 another verdict. */
export async function runVerify(argv: string[]): Promise<number> {
  const options = parseVerifyArgs(argv);
  if (options === 'help') {
    process.stdout.write(`${VERIFY_USAGE}\n`);
    return 0;
  }

  const config: HooktrayConfig = options.configFile === null ? parseConfig({}, 'defaults') : loadConfigFile(options.configFile);
  const vault = resolveKeys(config.keyRefs, options.configFile);
  const keys = config.profiles.flatMap((profile) => [...vault.keysFor(profile.name)]);
  const source = isFixturePath(options.target)
    ? fixtureSource(options.target, options.publicUrl, keys)
    : deliverySource(options.target, options.dataDir, options.publicUrl);

  const receivedAt = source.receivedAt === null ? undefined : Date.parse(source.receivedAt);
  const verdict =
    source.notStored === null
      ? verifyDelivery(source.request, config.profiles, vault, { now: Date.now(), ...(receivedAt === undefined ? {} : { receivedAt }) })
      : notStoredVerdict(config.profiles, source.request.path, source.notStored);

  if (options.json) {
    const record = { source: { kind: source.kind, [source.kind === 'delivery' ? 'id' : 'file']: source.name }, verdict, storedVerdict: source.storedVerdict };
    process.stdout.write(`${JSON.stringify(record)}\n`);
  } else {
    process.stdout.write(`${formatReport(source, verdict, keys)}\n`);
  }
  return verdict.status === 'valid' ? 0 : 1;
}
