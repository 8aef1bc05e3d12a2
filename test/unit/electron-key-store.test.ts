import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/core/logger';
import { electronAddonPath, findNativeBinding } from '../../electron/native-binding';
import { KEYS_FILE_NAME, KeyStoreError, SafeStorageKeyStore } from '../../electron/safe-storage-key-store';
import { resetFakeElectron, safeStorage } from '../support/fake-electron';

const SECRET = 'spike-shared-key-0123456789';
const KEYS = { spike: [SECRET], github: ['gh-secret-1', 'gh-secret-2'] };

let dir: string;
let file: string;

const open = (platform: NodeJS.Platform = 'linux') => SafeStorageKeyStore.open({ safeStorage, file, platform, logger: silentLogger });

beforeEach(() => {
  resetFakeElectron();
  dir = mkdtempSync(join(tmpdir(), 'hooktray-keys-'));
  file = join(dir, KEYS_FILE_NAME);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SafeStorageKeyStore with a keyring', () => {
  it('reports OS protection', async () => {
    expect((await open()).protection).toBe('os');
  });

  it('saves keys encrypted and loads them back', async () => {
    const store = await open();
    await store.save(KEYS);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('gh-secret');
    expect(await (await open()).load()).toEqual(KEYS);
  });

  it('loads back the keys of a __proto__ profile', async () => {
    const keys = Object.fromEntries([
      ['__proto__', ['proto-secret']],
      ['spike', [SECRET]],
    ]);
    await (await open()).save(keys);
    const loaded = await (await open()).load();
    expect(Object.keys(loaded)).toEqual(['__proto__', 'spike']);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')?.value).toEqual(['proto-secret']);
    expect(Object.getPrototypeOf(loaded)).toBe(Object.prototype);
  });

  it('writes the file for the owner only', async () => {
    const store = await open();
    await store.save(KEYS);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('loads nothing when no file exists', async () => {
    expect(await (await open()).load()).toEqual({});
  });

  it('re-encrypts when safeStorage asks to', async () => {
    await (await open()).save(KEYS);
    const encryptedTexts: string[] = [];
    const encrypt = safeStorage.encryptStringAsync.bind(safeStorage);
    safeStorage.encryptStringAsync = async (plainText: string) => {
      encryptedTexts.push(plainText);
      return encrypt(plainText);
    };
    safeStorage.shouldReEncrypt = true;
    try {
      expect(await (await open()).load()).toEqual(KEYS);
    } finally {
      safeStorage.encryptStringAsync = encrypt;
    }
    expect(encryptedTexts.map((text) => JSON.parse(text))).toEqual([KEYS]);
  });
});

describe('SafeStorageKeyStore with basic_text', () => {
  beforeEach(() => {
    safeStorage.backend = 'basic_text';
  });

  it('keeps keys in memory until weak storage is allowed', async () => {
    const store = await open();
    expect(store.needsWeakChoice).toBe(true);
    expect(store.protection).toBe('memory');
    await store.save(KEYS);
    expect(existsSync(file)).toBe(false);
    expect(await store.load()).toEqual(KEYS);
  });

  it('saves with weak protection once allowed', async () => {
    const store = await open();
    await store.save(KEYS);
    await store.setWeakStorageAllowed(true);
    expect(store.protection).toBe('weak');
    expect(JSON.parse(readFileSync(file, 'utf8')).protection).toBe('weak');

    const reopened = await open();
    expect(await reopened.load()).toEqual(KEYS);
    expect(reopened.weakStorageAllowed).toBe(true);
  });

  it('deletes the file when weak storage is declined', async () => {
    const store = await open();
    await store.setWeakStorageAllowed(true);
    await store.save(KEYS);
    await store.setWeakStorageAllowed(false);
    expect(existsSync(file)).toBe(false);
    expect(store.protection).toBe('memory');
  });

  it('is not weak on macOS', async () => {
    expect((await open('darwin')).protection).toBe('os');
  });
});

describe('SafeStorageKeyStore failures', () => {
  it('keeps keys in memory when encryption is unavailable', async () => {
    safeStorage.available = false;
    const store = await open();
    expect(store.protection).toBe('memory');
    await store.save(KEYS);
    expect(existsSync(file)).toBe(false);
  });

  it('locks a file it cannot decrypt and never overwrites it', async () => {
    writeFileSync(file, JSON.stringify({ version: 1, protection: 'os', data: Buffer.from('OTHER-KEYRING').toString('base64') }));
    const original = readFileSync(file, 'utf8');
    const store = await open();

    const error = await store.load().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).code).toBe('decrypt-failed');
    expect((error as KeyStoreError).message).toContain(file);

    await expect(store.save(KEYS)).rejects.toMatchObject({ code: 'keys-locked' });
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(store.protection).toBe('memory');
  });

  it('reports a damaged file by code', async () => {
    writeFileSync(file, '{"version":1');
    await expect((await open()).load()).rejects.toMatchObject({ code: 'invalid-file' });
  });

  it('rejects decrypted keys that are not an object', async () => {
    await (await open()).save(KEYS);
    const encrypted = JSON.parse(readFileSync(file, 'utf8')) as { data: string };
    const entries = await safeStorage.encryptStringAsync(JSON.stringify(Object.entries(KEYS)));
    writeFileSync(file, JSON.stringify({ ...encrypted, data: entries.toString('base64') }));
    await expect((await open()).load()).rejects.toMatchObject({ code: 'invalid-file' });
  });

  it('never puts a key into an error message', async () => {
    const store = await open();
    await store.save(KEYS);
    const encrypted = JSON.parse(readFileSync(file, 'utf8')) as { data: string };
    // A payload that decrypts to text that is not a key list: the message must not echo it.
    const wrong = await safeStorage.encryptStringAsync(`["${SECRET}"`);
    writeFileSync(file, JSON.stringify({ ...encrypted, data: wrong.toString('base64') }));
    const error = (await (await open()).load().catch((caught: unknown) => caught)) as Error;
    expect(error.message).not.toContain(SECRET);
    expect((error as KeyStoreError).code).toBe('invalid-file');
  });
});

describe('native binding', () => {
  it('points into app.asar.unpacked when packaged', () => {
    expect(electronAddonPath({ appPath: '/opt/H/resources/app.asar', resourcesPath: '/opt/H/resources', isPackaged: true })).toBe(
      '/opt/H/resources/app.asar.unpacked/out/native/electron/better_sqlite3.node',
    );
  });

  it('says how to build a missing addon in development', () => {
    const result = findNativeBinding({ appPath: dir, resourcesPath: dir, isPackaged: false });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('native-module-missing');
      expect(result.message).toContain('scripts/electron-native.js');
    }
  });
});
