import type { KeyVault } from './signatures/verify';

/**
 * How stored keys are protected, shown in the settings so the user can choose:
 * `os` is the OS keychain, `weak` is Electron's obfuscation-only `basic_text` backend on
 * Linux without a keyring, `memory` keeps keys for this session only.
 */
export type KeyProtection = 'os' | 'weak' | 'memory';

/** Persists each profile's keys. Implementations never log or export a key. */
export interface KeyStore {
  readonly protection: KeyProtection;
  load(): Promise<Record<string, string[]>>;
  save(keys: Record<string, string[]>): Promise<void>;
}

/** Keeps keys for the life of the process; used by the CLI, the browser UI and tests. */
export class MemoryKeyStore implements KeyStore {
  readonly protection = 'memory' as const;
  private keys: Record<string, string[]> = {};

  async load(): Promise<Record<string, string[]>> {
    return structuredClone(this.keys);
  }

  async save(keys: Record<string, string[]>): Promise<void> {
    this.keys = structuredClone(keys);
  }
}

/** A vault whose keys can be replaced while the core runs, for settings changes. */
export class MutableVault implements KeyVault {
  private keys = new Map<string, readonly string[]>();

  constructor(initial: Record<string, readonly string[]> = {}) {
    this.replaceAll(initial);
  }

  keysFor(profileName: string): readonly string[] {
    return this.keys.get(profileName) ?? [];
  }

  /** Returns how many keys each profile has, never the keys. */
  keyCounts(): Record<string, number> {
    return Object.fromEntries([...this.keys].map(([profile, keys]) => [profile, keys.length]));
  }

  set(profileName: string, keys: readonly string[]): void {
    this.keys.set(profileName, [...keys]);
  }

  replaceAll(keys: Record<string, readonly string[]>): void {
    this.keys = new Map(Object.entries(keys).map(([profile, list]) => [profile, [...list]]));
  }

  toRecord(): Record<string, string[]> {
    return Object.fromEntries([...this.keys].map(([profile, keys]) => [profile, [...keys]]));
  }
}
