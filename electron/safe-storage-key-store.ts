import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { KeyProtection, KeyStore } from './core/key-store';
import type { Logger } from './core/logger';
import { makeDir } from './core/make-dir';

/** The part of Electron's `safeStorage` this store uses: the async API, available since Electron 40. */
export interface AsyncSafeStorage {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  getSelectedStorageBackend(): string;
}

export const KEYS_FILE_NAME = 'keys.safe-storage.json';
const KEYS_FILE_VERSION = 1;

const keysFileSchema = z.strictObject({
  version: z.literal(KEYS_FILE_VERSION),
  protection: z.enum(['os', 'weak']),
  /** Base64 of the ciphertext of the JSON object that maps profile names to key lists. */
  data: z.string(),
});

/**
 * The decrypted keys as [profile name, keys] entries. z.record (zod 4.6.7) skips a "__proto__"
 * key, so a record schema would lose the keys of a profile with that name.
 */
const keyEntriesSchema = z.array(z.tuple([z.string(), z.array(z.string())]));

export type KeyStoreErrorCode = 'encryption-unavailable' | 'decrypt-failed' | 'invalid-file' | 'read-failed' | 'write-failed' | 'keys-locked';

/** An expected key store failure; the message names the file and the next step, never a key. */
export class KeyStoreError extends Error {
  override name = 'KeyStoreError';
  constructor(
    readonly code: KeyStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Encryption the OS offers: `os` is a keychain (macOS Keychain, Windows DPAPI, libsecret, KWallet),
 * `weak` is Chromium's `basic_text` backend on Linux, which only obfuscates with a fixed
 * password, and `none` means encryption is not available at all.
 */
export type EncryptionLevel = 'os' | 'weak' | 'none';

export async function detectEncryptionLevel(safeStorage: AsyncSafeStorage, platform: NodeJS.Platform): Promise<EncryptionLevel> {
  if (!(await safeStorage.isAsyncEncryptionAvailable())) return 'none';
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return 'weak';
  return 'os';
}

export interface SafeStorageKeyStoreOptions {
  safeStorage: AsyncSafeStorage;
  file: string;
  platform?: NodeJS.Platform;
  logger: Logger;
}

/**
 * Keeps profile keys in one file encrypted with Electron's `safeStorage`. With a keychain the
 * keys are saved. Without one (`weak`), they stay in memory until the user accepts weak
 * protection. The file records that choice, so a file marked `weak` means the user accepted.
 */
export class SafeStorageKeyStore implements KeyStore {
  private weakAllowed = false;
  /** Set when the file exists but cannot be decrypted: saving would overwrite the user's keys. */
  private locked: KeyStoreError | null = null;
  private memory: Record<string, string[]> = {};

  private constructor(
    private readonly options: SafeStorageKeyStoreOptions,
    readonly level: EncryptionLevel,
  ) {}

  static async open(options: SafeStorageKeyStoreOptions): Promise<SafeStorageKeyStore> {
    const level = await detectEncryptionLevel(options.safeStorage, options.platform ?? process.platform);
    const store = new SafeStorageKeyStore(options, level);
    options.logger.info('keys: key store opened', { encryption: level, protection: store.protection, file: options.file });
    return store;
  }

  get protection(): KeyProtection {
    if (this.locked !== null || this.level === 'none') return 'memory';
    if (this.level === 'weak') return this.weakAllowed ? 'weak' : 'memory';
    return 'os';
  }

  /** True when keys can be saved only with weak protection, so the user must choose. */
  get needsWeakChoice(): boolean {
    return this.level === 'weak';
  }

  get weakStorageAllowed(): boolean {
    return this.weakAllowed;
  }

  /** Reads the keys; a missing file is an empty set. Throws KeyStoreError when the file cannot be used. */
  async load(): Promise<Record<string, string[]>> {
    const text = await this.readFileText();
    if (text === null) return structuredClone(this.memory);

    const file = this.parseFile(text);
    if (file.protection === 'weak') this.weakAllowed = true;
    if (this.level === 'none') {
      this.locked = new KeyStoreError('encryption-unavailable', `The keys in ${this.options.file} cannot be decrypted because encryption is not available on this system: keys you enter now last until Hooktray quits.`);
      throw this.locked;
    }

    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.options.safeStorage.decryptStringAsync(Buffer.from(file.data, 'base64'));
    } catch (error) {
      this.locked = new KeyStoreError(
        'decrypt-failed',
        `Decrypting the keys in ${this.options.file} failed (${(error as Error).message}): unlock the keyring that stored them and restart Hooktray, or delete the file and enter the keys again.`,
      );
      throw this.locked;
    }

    const keys = this.parseKeys(decrypted.result);
    this.memory = keys;
    if (decrypted.shouldReEncrypt) await this.save(keys);
    return structuredClone(keys);
  }

  /** Saves the keys: encrypted on disk with a keychain or with weak protection the user accepted, else in memory. */
  async save(keys: Record<string, string[]>): Promise<void> {
    this.memory = structuredClone(keys);
    if (this.locked !== null) throw new KeyStoreError('keys-locked', `${this.locked.message} Until then, new keys are kept in memory only.`);
    if (this.protection === 'memory') return;
    await this.writeFile(keys);
  }

  /**
   * Records the user's choice on Linux without a keyring. Accepting weak protection saves the
   * current keys to disk; declining deletes the file, so keys last until the app quits.
   */
  async setWeakStorageAllowed(allowed: boolean): Promise<void> {
    if (this.level !== 'weak') return;
    this.weakAllowed = allowed;
    this.options.logger.info('keys: weak key storage choice changed', { allowed });
    if (allowed) {
      await this.save(this.memory);
      return;
    }
    if (this.locked !== null) return;
    try {
      await rm(this.options.file, { force: true });
    } catch (error) {
      throw new KeyStoreError('write-failed', `Deleting ${this.options.file} failed (${(error as NodeJS.ErrnoException).code ?? String(error)}): delete it by hand to remove the stored keys.`);
    }
  }

  private async readFileText(): Promise<string | null> {
    try {
      return await readFile(this.options.file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      this.locked = new KeyStoreError('read-failed', `Reading the keys file ${this.options.file} failed (${code ?? String(error)}): check its permissions and restart Hooktray.`);
      throw this.locked;
    }
  }

  private parseFile(text: string): z.infer<typeof keysFileSchema> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    const result = keysFileSchema.safeParse(json);
    if (result.success) return result.data;
    this.locked = new KeyStoreError('invalid-file', `The keys file ${this.options.file} is damaged: delete it and enter the keys again.`);
    throw this.locked;
  }

  private parseKeys(plainText: string): Record<string, string[]> {
    let json: unknown;
    try {
      json = JSON.parse(plainText);
    } catch {
      json = null;
    }
    const entries = typeof json === 'object' && json !== null && !Array.isArray(json) ? Object.entries(json) : null;
    const result = keyEntriesSchema.safeParse(entries);
    if (result.success) return Object.fromEntries(result.data);
    // The decrypted text contains keys, so neither it nor the parser's message is reported.
    this.locked = new KeyStoreError('invalid-file', `The keys file ${this.options.file} decrypts to something other than a list of keys: delete it and enter the keys again.`);
    throw this.locked;
  }

  /** Writes to a temporary file and renames it over the old one, so a crash never leaves half a file. */
  private async writeFile(keys: Record<string, string[]>): Promise<void> {
    const file = this.options.file;
    const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const encrypted = await this.options.safeStorage.encryptStringAsync(JSON.stringify(keys));
      const content = JSON.stringify({ version: KEYS_FILE_VERSION, protection: this.protection, data: encrypted.toString('base64') });
      await makeDir(dirname(file));
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(`${content}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      throw new KeyStoreError('write-failed', `Saving the keys to ${file} failed (${code ?? (error as Error).message}): check that the folder is writable; the keys stay in use until Hooktray quits.`);
    }
  }
}
