import { ConfigError } from './config';
import type { z } from 'zod';
import type {
  NewProfileKey,
  PushChannel,
  PushChannels,
  SetKeysRequest,
  ProfileRename,
  SetKeysResult,
  Settings,
  SettingsFailure,
  SettingsFieldError,
  SettingsResult,
  SettingsUpdate,
  SettingsView,
} from './contract';
import { settingsSchema } from './contract-schemas';
import type { KeyStore } from './key-store';
import { readSettingsFile, writeSettingsFile } from './settings-file';
import { MutableVault } from './key-store';
import type { Logger } from './logger';
import { getVerifier, schemeNames } from './signatures/registry';
import type { Profile, SchemeVerifier } from './signatures/types';
import type { KeyVault } from './signatures/verify';
import { samePrefixProblem } from './signatures/verify';

export { SETTINGS_FILE_NAME } from './settings-file';
/** Minimum time between two `reverify.progress` pushes, so 100,000 deliveries cost a few dozen. */
const PROGRESS_INTERVAL_MS = 100;
/** Minimum time between two progress lines in the log while stored deliveries are re-verified. */
const PROGRESS_LOG_INTERVAL_MS = 5_000;

/** Why stored deliveries are re-verified: the core started, profiles or keys changed, or the user asked. */
export type ReverifyReason = 'start' | 'settings' | 'request';

export const DEFAULT_SETTINGS: Settings = {
  profiles: [],
  response: { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"received":true}', delayMs: 0 },
  retention: { maxCount: 0, maxAgeDays: 0 },
  subdomain: null,
  tunnelHost: null,
  notifications: { deliveries: true, invalidSignatures: true, tunnel: true },
  protection: { pathToken: null, rateLimitPerSecond: 0 },
};

/** The parts of the running core that settings change. HooktrayCore implements it. */
export interface SettingsTarget {
  /** Verifies new deliveries with these profiles and keys from now on. */
  useProfiles(profiles: Profile[], vault: KeyVault): void;
  setProfiles(profiles: Profile[], vault: KeyVault, onProgress?: (done: number, total: number) => void): Promise<number>;
  setResponse(response: Settings['response']): void;
  setRetention(policy: Settings['retention']): void;
  /** Returns how many stored deliveries this retention policy would delete now. */
  countPrunable(policy: Settings['retention']): number;
  setProtection(protection: Settings['protection']): void;
  readonly pushes: { publish<C extends PushChannel>(channel: C, payload: PushChannels[C]): void };
}

export interface SettingsServiceOptions {
  /** JSON file that changes are saved to; null keeps them in memory only. */
  file: string | null;
  keyStore: KeyStore;
  vault: MutableVault;
  initial: Settings;
  logger: Logger;
}

/**
 * Reads a settings file and fills fields it lacks with defaults. Returns the defaults when
 * the file does not exist; throws ConfigError naming the file and field when it is invalid.
 */
export function loadSettingsFile(file: string): Settings {
  const read = readSettingsFile(file);
  if (!read.ok) throw new ConfigError(read.message);

  const result = settingsSchema.partial().safeParse(read.settings);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = ['settings', ...(issue?.path ?? [])].join('.');
    throw new ConfigError(`Invalid settings file ${file}: field "${field}": ${issue?.message ?? 'invalid value'}. Fix it or delete the file to start from defaults.`);
  }
  const settings: Settings = { ...structuredClone(DEFAULT_SETTINGS), ...result.data };
  const problem = checkProfiles(settings.profiles);
  if (problem !== null) throw new ConfigError(`Invalid settings file ${file}: field "settings.${problem.field}": ${problem.message}`);
  return settings;
}

/** Writes the settings atomically: a temporary file, synced, then renamed over the old one. */
export async function saveSettingsFile(file: string, settings: Settings): Promise<void> {
  writeSettingsFile(file, settings);
}

/** Checks what a schema cannot: unique names, known schemes and each scheme's options. */
export function checkProfiles(profiles: readonly Profile[]): SettingsFailure | null {
  const names = new Set<string>();
  for (const [index, profile] of profiles.entries()) {
    if (names.has(profile.name)) {
      return failure('invalid-settings', `profiles.${index}.name`, `The profile name "${profile.name}" is used twice: give each profile its own name.`);
    }
    names.add(profile.name);
    const samePrefix = samePrefixProblem(profiles, index);
    if (samePrefix !== null) return failure('invalid-settings', `profiles.${index}.pathPrefix`, samePrefix);

    const verifier = getVerifier(profile.scheme);
    if (verifier === undefined) {
      return failure('invalid-settings', `profiles.${index}.scheme`, `Unknown scheme "${profile.scheme}": use one of ${schemeNames().join(', ')}.`);
    }
    const options = verifier.optionsSchema.safeParse(profile.options);
    if (!options.success) {
      const issue = options.error.issues[0];
      const field = [`profiles.${index}.options`, ...(issue?.path ?? [])].join('.');
      return failure('invalid-settings', field, `Invalid ${verifier.label} option: ${issue?.message ?? 'invalid value'}.`);
    }
  }
  return null;
}

function failure(code: SettingsFailure['code'], field: string, message: string): SettingsFailure {
  return { ok: false, code, field, message };
}

/**
 * Returns the failure for values that failed the settings schema: the first issue of each field
 * in `errors`, and the first of those also as `field` and `message`. The form shows each message
 * after its field's label, as in "Status: Enter an HTTP status code from 100 to 599."
 */
function schemaFailure(issues: readonly z.core.$ZodIssue[]): SettingsFailure {
  const errors: SettingsFieldError[] = [];
  for (const issue of issues) {
    const field = issue.path.join('.');
    // Later issues of a field often follow from the first, so only the first is kept. An empty profile
    // name also fails the check for control characters, and a count of 1e20 fails two checks with one message.
    if (errors.some((known) => known.field === field)) continue;
    errors.push({ field, message: `${issue.message.charAt(0).toUpperCase()}${issue.message.slice(1)}.` });
  }
  const first = errors[0] ?? { field: '', message: 'Invalid value.' };
  return { ...failure('invalid-settings', first.field, first.message), errors: errors.length === 0 ? [first] : errors };
}

/** Checks that each rename names a saved profile and a profile of the update, each at most once. */
function checkRenames(renames: readonly ProfileRename[], saved: readonly Profile[], profiles: readonly Profile[] | undefined): SettingsFailure | null {
  if (renames.length === 0) return null;
  if (profiles === undefined) return failure('invalid-settings', 'profileRenames', 'Renaming profiles needs the new profile list: send "profiles" with "profileRenames".');

  const savedNames = new Set(saved.map((profile) => profile.name));
  const newNames = new Set(profiles.map((profile) => profile.name));
  const from = new Set<string>();
  const to = new Set<string>();
  for (const [index, rename] of renames.entries()) {
    if (!savedNames.has(rename.from)) return failure('invalid-settings', `profileRenames.${index}.from`, `No saved profile is named "${rename.from}": reload the settings and rename it again.`);
    if (!newNames.has(rename.to)) return failure('invalid-settings', `profileRenames.${index}.to`, `The profiles sent list no profile named "${rename.to}": send the renamed profile in "profiles".`);
    if (from.has(rename.from)) return failure('invalid-settings', `profileRenames.${index}.from`, `The profile "${rename.from}" is renamed twice: rename each profile once.`);
    if (to.has(rename.to)) return failure('invalid-settings', `profileRenames.${index}.to`, `Two profiles are renamed to "${rename.to}": give each profile its own name.`);
    from.add(rename.from);
    to.add(rename.to);
  }
  return null;
}

/**
 * Returns each profile's keys after an update: a renamed profile takes the keys of its old
 * name, and a name that another profile left gets none. Profiles no longer listed lose theirs.
 */
function keysAfterUpdate(vault: KeyVault, profiles: readonly Profile[], renames: readonly ProfileRename[]): Record<string, readonly string[]> {
  const oldNameOf = new Map(renames.map((rename) => [rename.to, rename.from]));
  const renamedAway = new Set(renames.map((rename) => rename.from));
  const keys: [string, readonly string[]][] = [];

  for (const { name } of profiles) {
    const oldName = oldNameOf.get(name) ?? (renamedAway.has(name) ? null : name);
    const profileKeys = oldName === null ? [] : vault.keysFor(oldName);
    if (profileKeys.length > 0) keys.push([name, profileKeys]);
  }
  // Object.fromEntries keeps a profile named "__proto__" as an own key.
  return Object.fromEntries(keys);
}

/** Returns how each profile named by new keys takes them: `replace` when any of its new keys replaces, else `add`. */
/**
 * Returns why a new key is not added when the profile already has it, stored or among the keys
 * added before it, or null. A second copy would only make the key count wrong.
 */
function duplicateKeyProblem(key: string, stored: readonly string[], addedBefore: readonly string[]): string | null {
  const storedIndex = stored.indexOf(key);
  if (storedIndex !== -1) return `is already key ${storedIndex + 1} of the profile: nothing to add`;
  if (addedBefore.includes(key)) return 'was entered twice: enter each key once';
  return null;
}

function keyModes(newKeys: readonly NewProfileKey[]): Map<string, 'add' | 'replace'> {
  const modes = new Map<string, 'add' | 'replace'>();
  for (const entry of newKeys) {
    if (modes.get(entry.profile) !== 'replace') modes.set(entry.profile, entry.mode ?? 'add');
  }
  return modes;
}

/**
 * Checks that each profile's scheme and options can read the keys it keeps after an update.
 * A key the scheme cannot read never verifies a signature, and startup rejects such keys
 * in the --config file.
 * The messages come from each scheme's `checkKey`, which never puts a key into them.
 */
function checkKeptKeys(
  profiles: readonly Profile[],
  keys: Record<string, readonly string[]>,
  saved: readonly Profile[],
  renames: readonly ProfileRename[],
): SettingsFailure | null {
  const oldNameOf = new Map(renames.map((rename) => [rename.to, rename.from]));
  for (const [index, profile] of profiles.entries()) {
    const verifier = getVerifier(profile.scheme);
    const profileKeys = Object.hasOwn(keys, profile.name) ? (keys[profile.name] ?? []) : [];
    if (verifier === undefined) continue;
    const problems = profileKeys.map((key) => verifier.checkKey(key, profile.options));
    const first = problems.findIndex((problem) => problem !== null);
    if (first < 0) continue;

    const before = saved.find((candidate) => candidate.name === (oldNameOf.get(profile.name) ?? profile.name));
    const cause = keyProblemCause(verifier, profile, before, profileKeys);
    const others = problems.flatMap((problem, at) => (problem === null || at === first ? [] : [at + 1]));
    const othersText = others.length === 0 ? '' : ` ${others.length === 1 ? 'Key' : 'Keys'} ${others.join(', ')} cannot be read either.`;
    const message =
      `Key ${first + 1} of profile "${profile.name}" ${problems[first]}.${othersText} Nothing was saved, because the profile cannot verify signatures with a key it cannot read: ` +
      `change ${cause.name} back, or type the key in the new format and choose Replace keys.`;
    return failure('invalid-settings', `profiles.${index}.${cause.field}`, message);
  }
  return null;
}

/**
 * Finds what made a profile's keys unreadable. That is the changed option that makes them
 * readable when set back, such as "keyEncoding". Without one, it is the scheme if it changed,
 * and otherwise the options as a whole.
 */
function keyProblemCause(verifier: SchemeVerifier, profile: Profile, before: Profile | undefined, keys: readonly string[]): { field: string; name: string } {
  // checkKey accepts any key under invalid options, so options that fail validation read nothing here.
  const readableWith = (options: Record<string, unknown>): boolean =>
    verifier.optionsSchema.safeParse(options).success && keys.every((key) => verifier.checkKey(key, options) === null);
  const schemeChanged = before?.scheme !== profile.scheme;

  // A profile that changed its scheme compares its options with none, which means each option's default.
  const oldOptions = schemeChanged || before === undefined ? {} : before.options;
  const changed = [...new Set([...Object.keys(oldOptions), ...Object.keys(profile.options)])].filter(
    (option) => JSON.stringify(oldOptions[option]) !== JSON.stringify(profile.options[option]),
  );
  for (const option of changed) {
    const reverted: Record<string, unknown> = { ...profile.options };
    if (Object.hasOwn(oldOptions, option)) reverted[option] = oldOptions[option];
    else delete reverted[option];
    if (readableWith(reverted)) return { field: `options.${option}`, name: `option "${option}"` };
  }
  return schemeChanged ? { field: 'scheme', name: 'the scheme' } : { field: 'options', name: 'the options' };
}

/**
 * Owns the settings while the app runs: applies changes to the core, saves them, and keeps
 * keys in the vault and the key store. Keys never leave it; views carry only key counts.
 */
export class SettingsService {
  private settings: Settings;
  private target: SettingsTarget | null = null;
  private reverifyQueue: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(settings: Settings) => void>();

  constructor(private readonly options: SettingsServiceOptions) {
    this.settings = structuredClone(options.initial);
  }

  get vault(): MutableVault {
    return this.options.vault;
  }

  get current(): Settings {
    return structuredClone(this.settings);
  }

  /** Connects the core that applies changes; the core calls this when it starts. */
  attach(target: SettingsTarget): void {
    this.target = target;
  }

  /** Registers a listener for saved changes, such as the tunnel supervisor; returns the unsubscribe function. */
  onChange(listener: (settings: Settings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): SettingsView {
    // Object.fromEntries defines own properties, so a profile named "__proto__" gets its count
    // where assigning to a plain object would set the object's prototype.
    const keyCounts = Object.fromEntries(this.settings.profiles.map((profile) => [profile.name, this.options.vault.keysFor(profile.name).length]));
    return { ...this.current, keyCounts, keyProtection: this.options.keyStore.protection, schemes: schemeNames() };
  }

  /** Replaces the given fields, saves and applies them. Keys follow renamed profiles, and profile changes start a re-verification. */
  async update(update: SettingsUpdate): Promise<SettingsResult> {
    const { profileRenames = [], newKeys = [], reverify = false, confirmRetention = false, ...patch } = update;
    const next: Settings = { ...this.current, ...structuredClone(patch) };
    // The IPC and bridge boundaries check only types and sizes, so the value rules apply here.
    const parsed = settingsSchema.safeParse(next);
    if (!parsed.success) return schemaFailure(parsed.error.issues);
    const problem = checkProfiles(next.profiles) ?? checkRenames(profileRenames, this.settings.profiles, patch.profiles);
    if (problem !== null) return problem;
    const checkedKeys = patch.profiles === undefined && newKeys.length === 0 ? null : this.keysAfterUpdate(next.profiles, profileRenames, newKeys);
    if (checkedKeys !== null && !checkedKeys.ok) return checkedKeys;
    const pruning = confirmRetention ? null : this.retentionDeletes(next.retention);
    if (pruning !== null) return pruning;

    // A request with only `reverify` changes no setting, so it saves nothing.
    const saved = Object.keys(patch).length === 0 ? null : await this.save(next);
    if (saved !== null) return saved;
    const renamed = profileRenames.some((rename) => rename.from !== rename.to);
    const profilesChanged = renamed || (patch.profiles !== undefined && JSON.stringify(patch.profiles) !== JSON.stringify(this.settings.profiles));
    this.settings = next;

    if (checkedKeys !== null && (profilesChanged || newKeys.length > 0)) {
      this.options.vault.replaceAll(checkedKeys.keys);
      if (renamed) this.options.logger.info('settings: profiles renamed', { renames: profileRenames });
      for (const [profile, mode] of keyModes(newKeys)) {
        this.options.logger.info('settings: keys changed', { profile, mode, keyCount: this.options.vault.keysFor(profile).length });
      }
      this.useCurrentProfiles();
      const keysSaved = await this.saveKeys();
      if (keysSaved !== null) return keysSaved;
      this.reverify('settings');
    } else if (reverify) {
      this.reverify('request');
    }
    if (patch.response !== undefined) this.target?.setResponse(next.response);
    if (patch.retention !== undefined) this.target?.setRetention(next.retention);
    if (patch.protection !== undefined) this.target?.setProtection(next.protection);
    this.notify();
    return { ok: true, settings: this.view() };
  }

  /**
   * Returns each profile's keys after an update: the keys it keeps, unless a new key replaces
   * them, then the new keys. Returns a failure when the profile's new scheme or options cannot
   * read one of them.
   */
  private keysAfterUpdate(
    profiles: readonly Profile[],
    renames: readonly ProfileRename[],
    newKeys: readonly NewProfileKey[],
  ): { ok: true; keys: Record<string, readonly string[]> } | SettingsFailure {
    const modes = keyModes(newKeys);
    const keptEntries = Object.entries(keysAfterUpdate(this.options.vault, profiles, renames)).filter(([name]) => modes.get(name) !== 'replace');
    // Object.fromEntries keeps a profile named "__proto__" as an own key.
    const keys = Object.fromEntries(keptEntries);
    const unreadable = checkKeptKeys(profiles, keys, this.settings.profiles, renames);
    if (unreadable !== null) return unreadable;

    const added = new Map<string, string[]>();
    for (const [entryIndex, entry] of newKeys.entries()) {
      const index = profiles.findIndex((profile) => profile.name === entry.profile);
      const profile = profiles[index];
      if (profile === undefined) {
        return failure('unknown-profile', `newKeys.${entryIndex}.profile`, `No profile of this update is named "${entry.profile}": send the profile in "profiles" with its key.`);
      }
      // Pasted keys often carry a trailing newline, which would never match a signature.
      const key = entry.key.trim();
      // A profile named like an Object property, such as __proto__, reads only an own entry.
      const kept = modes.get(profile.name) !== 'replace' && Object.hasOwn(keys, profile.name) ? (keys[profile.name] ?? []) : [];
      const problem =
        key === '' ? 'is blank: paste the key itself' : (getVerifier(profile.scheme)?.checkKey(key, profile.options) ?? duplicateKeyProblem(key, kept, added.get(profile.name) ?? []));
      if (problem !== null) return failure('invalid-key', `profiles.${index}.newKey`, `The new key for profile "${profile.name}" ${problem}.`);
      added.set(profile.name, [...(added.get(profile.name) ?? []), key]);
    }
    const result = new Map(Object.entries(keys));
    for (const [name, profileKeys] of added) result.set(name, [...(result.get(name) ?? []), ...profileKeys]);
    // Object.fromEntries keeps a profile named "__proto__" as an own key.
    return { ok: true, keys: Object.fromEntries(result) };
  }

  /**
   * Returns a failure when a changed retention policy would delete stored deliveries at once,
   * because a mistyped limit must not delete them without a second request that confirms it.
   */
  private retentionDeletes(retention: Settings['retention']): SettingsFailure | null {
    const before = this.settings.retention;
    if (retention.maxCount === before.maxCount && retention.maxAgeDays === before.maxAgeDays) return null;
    const deleted = this.target?.countPrunable(retention) ?? 0;
    if (deleted === 0) return null;

    // The field named is a changed limit that deletes something, so the form marks the one to raise.
    const ageChanged = retention.maxAgeDays !== before.maxAgeDays && retention.maxAgeDays > 0;
    const ageDeletes = ageChanged && (this.target?.countPrunable({ maxCount: 0, maxAgeDays: retention.maxAgeDays }) ?? 0) > 0;
    const field = ageDeletes ? 'retention.maxAgeDays' : 'retention.maxCount';
    const [noun, pronoun] = deleted === 1 ? ['delivery', 'it'] : ['deliveries', 'them'];
    return failure('confirm-retention', field, `The new retention limits delete ${deleted} stored ${noun} at once. Choose "Delete and save" to delete ${pronoun}, or raise the limit to keep ${pronoun}.`);
  }

  /** Adds or replaces a profile's keys, saves them to the key store and re-verifies. */
  async setKeys(request: SetKeysRequest): Promise<SetKeysResult> {
    const profile = this.settings.profiles.find((candidate) => candidate.name === request.profile);
    if (profile === undefined) {
      return failure('unknown-profile', 'profile', `No profile is named "${request.profile}": save the profile first, then add its keys.`);
    }
    // Pasted keys often carry a trailing newline, which would never match a signature.
    const keys = request.keys.map((key) => key.trim());
    // Messages count only the keys sent, so "Key 1" cannot be mistaken for the stored key 1.
    const newKeyName = (index: number): string =>
      keys.length === 1 ? `The new key for profile "${request.profile}"` : `Key ${index + 1} of the new keys for profile "${request.profile}"`;
    const emptyIndex = keys.findIndex((key) => key === '');
    if (emptyIndex >= 0) return failure('invalid-key', `keys.${emptyIndex}`, `${newKeyName(emptyIndex)} is blank: paste the key itself.`);
    const verifier = getVerifier(profile.scheme);
    const previous = request.mode === 'add' ? this.options.vault.keysFor(request.profile) : [];
    for (const [index, key] of keys.entries()) {
      const problem = verifier?.checkKey(key, profile.options) ?? duplicateKeyProblem(key, previous, keys.slice(0, index));
      if (problem !== null) return failure('invalid-key', `keys.${index}`, `${newKeyName(index)} ${problem}.`);
    }

    this.options.vault.set(request.profile, [...previous, ...keys]);
    // A failed save keeps the keys in use until the app stops, so they apply at once.
    this.useCurrentProfiles();
    const saved = await this.saveKeys();
    if (saved !== null) return saved;
    this.options.logger.info('settings: keys changed', { profile: request.profile, mode: request.mode, keyCount: this.options.vault.keysFor(request.profile).length });
    this.reverify();
    return { ok: true, profile: request.profile, keyCount: this.options.vault.keysFor(request.profile).length };
  }

  /** Resolves once every re-verification started so far has finished. */
  async whenReverified(): Promise<void> {
    await this.reverifyQueue;
  }

  private async save(next: Settings): Promise<SettingsFailure | null> {
    if (this.options.file === null) return null;
    try {
      await saveSettingsFile(this.options.file, next);
      return null;
    } catch (error) {
      this.options.logger.error('settings: saving failed', { file: this.options.file, error: String(error) });
      return failure('save-failed', '(file)', `Saving the settings to ${this.options.file} failed (${(error as NodeJS.ErrnoException).code ?? String(error)}): check that the folder is writable.`);
    }
  }

  private async saveKeys(): Promise<SettingsFailure | null> {
    try {
      await this.options.keyStore.save(this.options.vault.toRecord());
      return null;
    } catch (error) {
      // The error comes from the key store, which never puts a key into its messages.
      this.options.logger.error('settings: saving keys failed', { protection: this.options.keyStore.protection, error: String(error) });
      return failure('save-failed', 'keys', `Saving the keys failed (${String(error)}): the keys stay in use until the app stops.`);
    }
  }

  /** Verifies new deliveries with the current profiles and keys from now on, before anything is saved. */
  private useCurrentProfiles(): void {
    this.target?.useProfiles(this.settings.profiles.map((profile) => ({ ...profile })), this.options.vault);
  }

  /**
   * Re-verifies stored deliveries in the background, one run after another, with progress
   * pushes and a log line every few seconds. The core starts a run when it starts, because the
   * keys from the environment, key files or the key store may have changed since the last run.
   */
  reverify(reason: ReverifyReason = 'settings'): void {
    const target = this.target;
    if (target === null) return;
    const profiles = this.settings.profiles.map((profile) => ({ ...profile }));
    const logger = this.options.logger;

    this.reverifyQueue = this.reverifyQueue.then(async () => {
      const started = Date.now();
      let lastPush = 0;
      let lastLog = started;
      let last = { done: 0, total: 0 };
      const onProgress = (done: number, total: number): void => {
        last = { done, total };
        const now = Date.now();
        if (now - lastLog >= PROGRESS_LOG_INTERVAL_MS) {
          lastLog = now;
          logger.info('settings: re-verifying stored deliveries', { reason, done, total });
        }
        if (now - lastPush < PROGRESS_INTERVAL_MS) return;
        lastPush = now;
        target.pushes.publish('reverify.progress', { done, total, finished: false });
      };
      try {
        const changed = await target.setProfiles(profiles, this.options.vault, onProgress);
        // done is below total when the core stopped during the run.
        logger.info('settings: re-verified stored deliveries', { reason, ...last, changed, durationMs: Date.now() - started });
        target.pushes.publish('reverify.progress', { ...last, finished: true, changed });
      } catch (error) {
        logger.error('settings: re-verifying stored deliveries failed', { reason, ...last, error: String(error) });
        target.pushes.publish('reverify.progress', { ...last, finished: true });
      }
    });
  }

  private notify(): void {
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (error) {
        this.options.logger.error('settings: a change listener failed', { error: String(error) });
      }
    }
  }
}

/** Copies each profile's keys from a read-only vault into a vault the settings can change. */
export function vaultFrom(profiles: readonly Profile[], vault: KeyVault): MutableVault {
  return new MutableVault(Object.fromEntries(profiles.map((profile) => [profile.name, vault.keysFor(profile.name)])));
}
