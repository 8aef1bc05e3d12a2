import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { defaultDataDir } from '../core/app-info';
import type { HooktrayConfig } from '../core/config';
import { loadConfigFile, parseConfig, resolveKeys } from '../core/config';
import type { Profile } from '../core/signatures/types';
import type { KeyVault } from '../core/signatures/verify';
import { DeliveryStore } from '../core/store';
import { NewerSchemaError, SCHEMA_VERSION } from '../core/store-schema';
import { UsageError } from './args';
import { makeDirSync } from '../core/make-dir';

/** Delivery ids are ULIDs: 26 characters of Crockford base 32, upper case as Hooktray stores them. */
const DELIVERY_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The store's database file inside a data folder. */
export const STORE_FILE = 'hooktray.db';

/**
 * Returns `text` as a stored delivery id, or null when it is not a ULID. ULIDs are
 * case-insensitive and the store keeps them in upper case, so lower-case letters are converted.
 */
export function parseDeliveryId(text: string): string | null {
  const id = text.toUpperCase();
  return DELIVERY_ID.test(id) ? id : null;
}

/**
 * Opens the store in `dataDir` (the default data folder when undefined) for a command that
 * reads stored deliveries. It may run beside `hooktray listen` on the same folder: SQLite's
 * WAL mode lets both use the database at once. With `create`, a missing store is created.
 */
export function openStore(dataDir: string | undefined, options: { create?: boolean } = {}): DeliveryStore {
  const folder = dataDirOption(dataDir);
  if (existsSync(folder) && !statSync(folder).isDirectory()) throw new UsageError(folderIsFileMessage(folder));
  if (options.create !== true && !existsSync(join(folder, STORE_FILE))) {
    throw new UsageError(`No Hooktray store in ${folder}: pass the --data-dir that "hooktray listen" used.`);
  }
  return openingDataDir(folder, () => new DeliveryStore({ dataDir: folder }));
}

/**
 * Returns the absolute data folder of a command's `--data-dir` value, or the default folder
 * when the flag is absent. An empty value is rejected, because it would resolve to the current folder.
 */
export function dataDirOption(value: string | undefined): string {
  if (value === undefined) return resolve(defaultDataDir());
  if (value.trim() === '') throw new UsageError(`--data-dir is empty: pass a folder path, or leave the flag out to use ${defaultDataDir()}.`);
  return resolve(value);
}

/** Creates the data folder when missing, owner-only because it contains every captured body. */
export function createDataDir(folder: string): void {
  openingDataDir(folder, () => makeDirSync(folder, 0o700));
}

/**
 * Runs `open`, a step that creates the data folder or opens the store in it, and turns a
 * failure caused by that folder or its database into a UsageError that names the folder or
 * the file and the fix. A promise is handled the same way when it rejects.
 */
export function openingDataDir<T>(folder: string, open: () => T): T {
  try {
    const result = open();
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        throw explainDataDirError(error, folder);
      }) as T;
    }
    return result;
  } catch (error) {
    throw explainDataDirError(error, folder);
  }
}

function explainDataDirError(error: unknown, folder: string): unknown {
  if (error instanceof NewerSchemaError) {
    const file = join(folder, STORE_FILE);
    return new UsageError(`The store ${file} has schema version ${error.version}, newer than this Hooktray's ${SCHEMA_VERSION}, so a newer Hooktray wrote it: update Hooktray, or choose another --data-dir.`);
  }
  const message = error instanceof Database.SqliteError ? databaseProblem(error, folder) : folderProblem(error as NodeJS.ErrnoException, folder);
  return message === null ? error : new UsageError(message);
}

/** Explains an operating-system error on the data folder itself or a file inside it. */
function folderProblem(error: NodeJS.ErrnoException, folder: string): string | null {
  const { code, path } = error;
  // Errors on other paths, such as a port that is in use, have other causes. Creating the
  // folder can also fail at one of its missing parents.
  const creatingParent = error.syscall === 'mkdir' && path !== undefined && folder.startsWith(path + sep);
  if (path === undefined || (path !== folder && !path.startsWith(folder + sep) && !creatingParent)) return null;
  if (code === 'EEXIST' && path === folder) return danglingLinkMessage(folder) ?? folderIsFileMessage(folder);
  if (code === 'ENOTDIR') return `The data folder ${folder} cannot exist because a folder in its path is a file: choose another --data-dir.`;
  if (error.syscall === 'mkdir') {
    const parent = nearestExistingFolder(folder);
    const reason = writeProblem(parent) ?? `${parent} does not accept it`;
    return `The data folder ${folder} cannot be created (${code ?? 'unknown error'}) because ${reason}: choose another --data-dir.`;
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `${path} in the data folder cannot be written (${code}): choose another --data-dir that this user can write.`;
  return null;
}

/** Names the missing target when the data folder is a link to nothing, or returns null. */
function danglingLinkMessage(folder: string): string | null {
  try {
    if (!lstatSync(folder).isSymbolicLink() || existsSync(folder)) return null;
    const target = resolve(dirname(folder), readlinkSync(folder));
    return `The data folder ${folder} is a link to ${target}, which does not exist: create that folder, or choose another --data-dir.`;
  } catch {
    return null;
  }
}

function folderIsFileMessage(folder: string): string {
  return `The data folder ${folder} is a file, not a folder: choose another --data-dir, or move that file away.`;
}

/**
 * Returns `error`, or a UsageError that names the store's file and the fix when `error` reports
 * a damaged database. SQLite reads a page only when a query needs it, so a command can find
 * damage after the store opened, such as a file cut short while its WAL still contains page 1.
 */
export function explainStoreDamage(error: unknown, store: DeliveryStore): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !isDamageCode(code)) return error;
  return new UsageError(databaseProblem(error as SqliteProblem, dirname(store.file)) ?? (error as Error).message);
}

function isDamageCode(code: string): boolean {
  return code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT');
}

/** An SQLite error, from this thread (SqliteError) or the writer thread (StoreWriteError). */
interface SqliteProblem {
  code: string;
  message: string;
}

/** Explains an SQLite error raised while opening or reading the store in `folder`. */
function databaseProblem(error: SqliteProblem, folder: string): string | null {
  const file = join(folder, STORE_FILE);
  const fix = `restore it from a backup, or move it and its -wal and -shm files aside to start an empty store there, or choose another --data-dir`;
  if (error.code === 'SQLITE_NOTADB') return `${file} is not a SQLite database, so the store in it cannot be opened: ${fix}.`;
  if (error.code.startsWith('SQLITE_CORRUPT')) return `The store ${file} is damaged (${error.message}): ${fix}.`;
  if (error.code === 'SQLITE_FULL') return `The disk holding ${folder} is full, so the store ${file} cannot be opened: free space on that disk, or choose another --data-dir.`;
  if (error.code.startsWith('SQLITE_CANTOPEN') || error.code.startsWith('SQLITE_READONLY') || error.code === 'SQLITE_PERM') {
    return `The store ${file} cannot be opened for writing (${error.message}) because ${unwritableReason(folder, file)}: choose another --data-dir.`;
  }
  return null;
}

/** Returns why SQLite could not write in `folder`, from what the file system reports. */
function unwritableReason(folder: string, file: string): string {
  if (existsSync(file) && statSync(file).isDirectory()) return `${file} is a folder, not a database file`;
  return writeProblem(folder) ?? writeProblem(file) ?? `${folder} or the database file in it is not writable`;
}

/** Names the reason this process cannot write `path`, or returns null when it can or the path is missing. */
function writeProblem(path: string): string | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${path} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `this user cannot write to ${path}`;
    return null;
  }
}

function nearestExistingFolder(folder: string): string {
  let parent = dirname(folder);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  return parent;
}

/** Loads profiles and keys from `--config`, or none when it is absent. */
export function loadSigning(configFile: string | undefined): { config: HooktrayConfig; vault: KeyVault } {
  const file = configFile === undefined ? null : resolve(configFile);
  const config = file === null ? parseConfig({}, 'defaults') : loadConfigFile(file);
  return { config, vault: resolveKeys(config.keyRefs, file) };
}

export interface SigningProfileRequest {
  config: HooktrayConfig;
  vault: KeyVault;
  /** The --config file, named in messages. */
  configFile: string;
  /** The --profile option, when given. */
  name: string | undefined;
  /** Finds the profile to use without --profile. */
  fallback: (profiles: readonly Profile[]) => Profile | undefined;
  /** The sentence, without its period, that explains why `fallback` found none and names the config file. */
  fallbackMissing: string;
}

/**
 * Returns the profile to sign with: the one named by --profile, or else the one `fallback`
 * finds. Throws a UsageError that lists the profiles of the config file when there is no such
 * profile, and when the profile has no key.
 */
export function signingProfile(request: SigningProfileRequest): Profile {
  const { profiles } = request.config;
  const profile = request.name === undefined ? request.fallback(profiles) : profiles.find((candidate) => candidate.name === request.name);
  if (profile === undefined) {
    const missing = request.name === undefined ? request.fallbackMissing : `There is no profile named "${request.name}" in ${request.configFile}`;
    throw new UsageError(`${missing}. ${describeProfiles(profiles)}`);
  }
  if (request.vault.keysFor(profile.name).length === 0) {
    throw new UsageError(`Cannot sign with profile "${profile.name}": it has no key in ${request.configFile}; add one to its "keys".`);
  }
  return profile;
}

/** Lists the profiles of a config file for a message, with what to do next. */
function describeProfiles(profiles: readonly Profile[]): string {
  if (profiles.length === 0) return 'The file defines no profiles: add one with a name, scheme, pathPrefix and keys.';
  const names = profiles.map((profile) => `"${profile.name}" (scheme ${profile.scheme}, path prefix ${profile.pathPrefix})`);
  return `The file's profiles are ${names.join(', ')}: pass one of them with --profile, or add a profile.`;
}
