import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { checkBodylessStatus, headerRecord, headerValue, maxAgeDaysSchema, responseHeaderName } from './contract-schemas';
import { escapeControl } from './escape-control';
import { shellQuote } from './export/curl';
import { NotRegularFileError, readNamedFileSync } from './export/import-files';
import type { ResponseSettings } from './receiver';
import { DEFAULT_RESPONSE } from './receiver';
import { getVerifier, schemeNames } from './signatures/registry';
import type { Profile } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { samePrefixProblem } from './signatures/verify';
import { plainIssueMessage } from './zod-messages';

/**
 * Where a key comes from. Keys are never written in a command line: `env` names a variable,
 * `file` a file whose whole content (without one trailing newline) is the key, and `value`
 * holds the key inline, meant for tests.
 */
const keyRefSchema = z.union(
  [z.object({ env: z.string().min(1) }).strict(), z.object({ file: z.string().min(1) }).strict(), z.object({ value: z.string().min(1) }).strict()],
  { error: 'a key is exactly one of {"env": "NAME"}, {"file": "path"} or {"value": "…"}, with non-empty text' },
);

export type KeyRef = z.infer<typeof keyRefSchema>;

/**
 * Each profile's key references by profile name, in the order of the configuration, with the
 * profiles themselves so that each key can be checked against its profile's scheme.
 */
export class ProfileKeyRefs extends Map<string, KeyRef[]> {
  constructor(readonly profiles: readonly Profile[]) {
    super();
  }
}

const profileSchema = z
  .object({
    name: z.string().min(1),
    scheme: z.string().min(1),
    pathPrefix: z.string().startsWith('/').default('/'),
    keys: z.array(keyRefSchema).default([]),
    options: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const responseSchema = z
  .object({
    status: z.number().int().min(100).max(599).default(DEFAULT_RESPONSE.status),
    headers: headerRecord(responseHeaderName, headerValue).default(DEFAULT_RESPONSE.headers),
    body: z.string().default(DEFAULT_RESPONSE.body),
    delayMs: z.number().int().min(0).max(120_000).default(0),
  })
  .strict()
  .superRefine(checkBodylessStatus);

const retentionSchema = z
  .object({ maxCount: z.number().int().min(0).default(0), maxAgeDays: maxAgeDaysSchema.default(0) })
  .strict();

/**
 * Largest `bodyLimit` the store can keep. A body and its decoded copy, each up to `bodyLimit`
 * bytes, share one row of the `bodies` table, and SQLite rejects a row over SQLITE_LIMIT_LENGTH.
 * better-sqlite3 12 lowers that limit from SQLite's 1,000,000,000 bytes to V8's longest string,
 * which is 536,870,888 bytes on 64-bit Node. Two bodies of 255 MiB fit in a row, and two of 256 MiB do not.
 */
export const MAX_BODY_LIMIT = 255 * 1024 * 1024;
/** SQLITE_LIMIT_LENGTH of the connections that better-sqlite3 opens on 64-bit Node: the most bytes of one string, blob or row. */
export const SQLITE_LENGTH_LIMIT = 536_870_888;

const configSchema = z
  .object({
    profiles: z.array(profileSchema).default([]),
    response: responseSchema.optional(),
    retention: retentionSchema.optional(),
    bodyLimit: z
      .number()
      .int()
      .positive()
      .max(MAX_BODY_LIMIT, {
        error: `at most ${MAX_BODY_LIMIT} bytes (255 MiB), because a body and its decoded copy are stored together in one SQLite row of at most ${SQLITE_LENGTH_LIMIT} bytes`,
      })
      .optional(),
  })
  .strict();

export interface HooktrayConfig {
  profiles: Profile[];
  keyRefs: ProfileKeyRefs;
  response: ResponseSettings;
  retention: { maxCount: number; maxAgeDays: number };
  bodyLimit?: number;
}

/** A configuration file that cannot be used; the message names the file, the field and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the configuration file that the command line names. A pipe is read to its end, because
 * a shell passes `--config <(…)` as one. A socket or device raises NotRegularFileError, because
 * a device such as /dev/zero may never end.
 */
function readConfigText(file: string): string {
  try {
    return readNamedFileSync(file).toString('utf8');
  } catch (error) {
    if (error instanceof NotRegularFileError && statSync(file).isFIFO()) return readFileSync(file, 'utf8');
    throw error;
  }
}

/** Reads and validates a configuration file; throws ConfigError naming the field at fault. */
export function loadConfigFile(file: string): HooktrayConfig {
  let text: string;
  try {
    text = readConfigText(file);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new ConfigError(`The configuration file ${error.message}: write the configuration into a regular file.`);
    throw new ConfigError(configReadProblem(file, error as NodeJS.ErrnoException));
  }
  let json: unknown;
  try {
    // Some Windows editors start a UTF-8 file with a byte-order mark, which JSON.parse rejects.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(`The configuration file ${file} is not valid JSON: ${jsonSyntaxProblem(error as Error)}.`);
  }
  return parseConfig(json, file);
}

/** Explains why the configuration file cannot be read, with the fix for the common causes. */
function configReadProblem(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `The configuration file ${file} was not found: check the path given to --config. A relative path is read from the current folder, ${process.cwd()}.`;
    case 'ENOTDIR':
      return `The configuration file ${file} was not found, because a folder in its path is a file: check the path given to --config.`;
    case 'EISDIR':
      return `The configuration file ${file} is a folder: give --config the JSON file inside it.`;
    case 'EACCES':
    case 'EPERM':
      return `The configuration file ${file} cannot be read (${error.code}): give this user read access to it.`;
    default:
      return `Cannot read the configuration file ${file}: ${error.code ?? String(error)}.`;
  }
}

/**
 * Returns JSON.parse's message without the text that V8 quotes around an unexpected token,
 * because that text may be part of an inline key. A letter or digit token is left out too.
 */
function jsonSyntaxProblem(error: Error): string {
  const quoted = /^Unexpected token '(.+?)', .* is not valid JSON$/su.exec(error.message);
  if (quoted === null) return error.message;
  const token = quoted[1] as string;
  if (/[\p{L}\p{N}]/u.test(token)) return 'a value is not JSON; put text in double quotes and write true, false or null in lower case';
  return `unexpected "${token}"; check for a comma before a closing bracket or a missing value`;
}

/** Validates a parsed configuration; `source` names it in messages. */
export function parseConfig(json: unknown, source: string): HooktrayConfig {
  const result = configSchema.safeParse(json, { error: plainIssueMessage });
  if (!result.success) throw new ConfigError(`Invalid configuration in ${source}: ${issueText(reportedIssue(result.error.issues), [])}.`);

  const names = new Set<string>();
  const profiles: Profile[] = [];
  const keyRefs = new ProfileKeyRefs(profiles);
  for (const [index, raw] of result.data.profiles.entries()) {
    const field = `profiles.${index}`;
    if (names.has(raw.name)) throw new ConfigError(`Invalid configuration in ${source}: field "${field}.name": the name "${raw.name}" is used twice.`);
    names.add(raw.name);
    const samePrefix = samePrefixProblem(result.data.profiles, index);
    if (samePrefix !== null) throw new ConfigError(`Invalid configuration in ${source}: field "${field}.pathPrefix": ${samePrefix}`);

    const verifier = getVerifier(raw.scheme);
    if (verifier === undefined) {
      throw new ConfigError(`Invalid configuration in ${source}: field "${field}.scheme": unknown scheme "${raw.scheme}"; use one of ${schemeNames().join(', ')}.`);
    }
    const options = verifier.optionsSchema.safeParse(raw.options, { error: plainIssueMessage });
    if (!options.success) throw new ConfigError(`Invalid configuration in ${source}: ${issueText(reportedIssue(options.error.issues), [field, 'options'])}.`);
    profiles.push({ name: raw.name, scheme: raw.scheme, pathPrefix: raw.pathPrefix, options: options.data });
    keyRefs.set(raw.name, raw.keys);
  }

  return {
    profiles,
    keyRefs,
    response: result.data.response ?? DEFAULT_RESPONSE,
    retention: result.data.retention ?? { maxCount: 0, maxAgeDays: 0 },
    ...(result.data.bodyLimit === undefined ? {} : { bodyLimit: result.data.bodyLimit }),
  };
}

/**
 * Returns the issue to report: the first one, unless an object has an unknown field and an
 * issue in one of its fields, such as a missing "name" next to "nmae". Then the unknown field
 * comes first, because its name is usually the cause.
 */
function reportedIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const first = issues[0];
  if (first === undefined || first.path.length === 0) return first;
  const parent = first.path.slice(0, -1).map(String).join('.');
  return issues.find((issue) => issue.code === 'unrecognized_keys' && issue.path.map(String).join('.') === parent) ?? first;
}

/**
 * Names the field of a zod issue, under the path `parent`, and gives its message. An
 * unrecognized key is named as the unknown field itself, not as the object that contains it.
 */
function issueText(issue: z.core.$ZodIssue | undefined, parent: PropertyKey[]): string {
  if (issue === undefined) return 'invalid value';
  const path = [...parent, ...issue.path].map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = escapeControl([...path, issue.keys[0] ?? ''].join('.'));
    const count = issue.keys.length > 1 ? ` (the first of ${issue.keys.length})` : '';
    return `unknown field "${field}"${count}: ${issue.message}`;
  }
  if (path.length === 0) return `the whole file ${issue.message}`;
  return `field "${escapeControl(path.join('.'))}": ${issue.message}`;
}

/**
 * Resolves every key reference once, at start, into a vault held in memory. Throws a
 * ConfigError for a missing variable, an unreadable file, a key that is empty or only
 * whitespace, a key that the profile's scheme cannot read, such as text where "keyEncoding"
 * is "hex", and a key that the profile already has, as Settings rejects it. The message names
 * the field and the variable or file, never a key.
 */
export function resolveKeys(keyRefs: ProfileKeyRefs, configFile: string | null, env: NodeJS.ProcessEnv = process.env): KeyVault {
  const keys = new Map<string, string[]>();
  const baseDir = configFile === null ? process.cwd() : dirname(configFile);
  for (const [profileIndex, profile] of keyRefs.profiles.entries()) {
    const refs = keyRefs.get(profile.name) ?? [];
    const profileKeys: string[] = [];
    for (const [index, ref] of refs.entries()) {
      const field = `field "profiles.${profileIndex}.keys.${index}" (profile "${profile.name}")`;
      const { key, source } = resolveKey(ref, profile, field, baseDir, env);
      // A second copy of a key verifies nothing more and only makes the key count wrong.
      const earlier = profileKeys.indexOf(key);
      if (earlier !== -1) {
        throw new ConfigError(
          `The key from the ${source} for ${field} is already key ${earlier + 1} of the profile (field "profiles.${profileIndex}.keys.${earlier}"): remove one of the two entries.`,
        );
      }
      profileKeys.push(key);
    }
    keys.set(profile.name, profileKeys);
  }
  return { keysFor: (profile) => keys.get(profile) ?? [] };
}

/**
 * Returns a warning for each key file that users other than its owner may read, with the
 * command that fixes it. Windows reports no such permission bits, so there it returns none.
 */
export function exposedKeyFileWarnings(keyRefs: ProfileKeyRefs, configFile: string | null): string[] {
  if (process.platform === 'win32') return [];
  const baseDir = configFile === null ? process.cwd() : dirname(configFile);
  const warnings: string[] = [];
  for (const refs of keyRefs.values()) {
    for (const ref of refs) {
      if (!('file' in ref)) continue;
      const file = resolve(baseDir, ref.file);
      let mode: number;
      try {
        mode = statSync(file).mode & 0o777;
      } catch {
        continue;
      }
      if ((mode & 0o044) !== 0) {
        warnings.push(`The key file ${file} can be read by other users (mode ${mode.toString(8).padStart(3, '0')}): run chmod 600 ${shellQuoted(file)}.`);
      }
    }
  }
  return warnings;
}

/** Returns a path as a POSIX shell word: as is when it contains only safe characters, else quoted. */
function shellQuoted(path: string): string {
  return /^[\w./+,:@%-]+$/.test(path) ? path : shellQuote(path);
}

/** Reads one key, checks it and returns it with a description of its source. `field` names the reference in messages. */
function resolveKey(ref: KeyRef, profile: Profile, field: string, baseDir: string, env: NodeJS.ProcessEnv): { key: string; source: string } {
  const { key, source } = readKey(ref, field, baseDir, env);
  if (key === '') throw new ConfigError(`The ${source} for ${field} is empty: ${fillInstruction(ref)}.`);
  if (key.trim() === '') throw new ConfigError(`The ${source} for ${field} contains only whitespace: ${fillInstruction(ref)}.`);

  const problem = getVerifier(profile.scheme)?.checkKey(key, profile.options) ?? null;
  if (problem !== null) throw new ConfigError(`The key from the ${source} for ${field} ${problem}.`);
  return { key, source };
}

function fillInstruction(ref: KeyRef): string {
  if ('value' in ref) return 'write the key itself';
  if ('env' in ref) return 'put the key in it before starting';
  return 'write the key into it';
}

/** The fix for a key file that cannot be read, by the error's code. */
const KEY_FILE_FIXES: Record<string, string> = {
  ENOENT: 'create the file, or correct its path in the configuration (a relative path is read from the configuration file\'s folder)',
  EISDIR: 'name the file that holds the key, not a folder',
  EACCES: 'give this user read access to the file',
  EPERM: 'give this user read access to the file',
};

/** Returns the referenced key and a description of where it comes from, such as "environment variable NAME". */
function readKey(ref: KeyRef, field: string, baseDir: string, env: NodeJS.ProcessEnv): { key: string; source: string } {
  if ('value' in ref) return { key: ref.value, source: 'inline "value"' };
  if ('env' in ref) {
    const source = `environment variable ${ref.env}`;
    const value = env[ref.env];
    if (value === undefined) throw new ConfigError(`The ${source} for ${field} is not set: export it before starting.`);
    if (value === '') throw new ConfigError(`The ${source} for ${field} is set but empty: put the key in it before starting.`);
    return { key: value, source };
  }

  // A relative path is read from the folder of the configuration file.
  const file = resolve(baseDir, ref.file);
  try {
    // A file usually ends with one line ending, which is not part of the key. Only a regular
    // file is read, because reading a named pipe blocks until a writer comes and a device may never end.
    return { key: readNamedFileSync(file).toString('utf8').replace(/\r?\n$/, ''), source: `key file ${file}` };
  } catch (error) {
    if (error instanceof NotRegularFileError) {
      throw new ConfigError(`The key file ${file} for ${field} is ${error.kind}, not a regular file: write the key into a regular file, or pass it in an environment variable with {"env": "NAME"}.`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const fix = KEY_FILE_FIXES[code ?? ''] ?? 'check that it is a readable file holding only the key';
    throw new ConfigError(`Cannot read the key file ${file} for ${field} (${code ?? String(error)}): ${fix}.`);
  }
}
