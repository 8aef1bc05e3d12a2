import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settingsPath } from './settings-file';
import { checkSubdomain, generateSubdomain, resolveSubdomain, urlWithSubdomain } from './tunnel-subdomain';

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'hooktray-subdomain-'));
}

describe('checkSubdomain', () => {
  it.each(['abcd', 'hooktray-abc123', 'my-hooks-2', 'a'.repeat(63), '1234'])('accepts %s', (subdomain) => {
    expect(checkSubdomain(subdomain)).toBeNull();
  });

  it.each(['abc', 'a'.repeat(64), 'Hooktray', 'my_hooks', 'my.hooks', '-hooks', 'hooks-', 'hööks', '', 'my hooks'])('rejects "%s"', (subdomain) => {
    const message = checkSubdomain(subdomain);
    expect(message).toContain(`"${subdomain}"`);
    expect(message).toContain('4 to 63 lowercase letters, digits and hyphens');
  });
});

describe('generateSubdomain', () => {
  it('creates valid hooktray- names', () => {
    const names = new Set(Array.from({ length: 50 }, generateSubdomain));
    for (const name of names) {
      expect(name).toMatch(/^hooktray-[a-z0-9]{6}$/);
      expect(checkSubdomain(name)).toBeNull();
    }
    expect(names.size).toBeGreaterThan(45);
  });
});

describe('resolveSubdomain', () => {
  it('generates once and reuses the saved name', () => {
    const dir = dataDir();
    const first = resolveSubdomain(dir, undefined);
    const second = resolveSubdomain(dir, undefined);

    expect(first).toMatchObject({ ok: true, generated: true });
    expect(second).toMatchObject({ ok: true, generated: false });
    if (!first.ok || !second.ok) return;
    expect(second.subdomain).toBe(first.subdomain);
    expect(JSON.parse(readFileSync(settingsPath(dir), 'utf8'))).toEqual({ version: 1, settings: { subdomain: first.subdomain } });
  });

  it('prefers the requested name without saving it', () => {
    const dir = dataDir();
    writeFileSync(settingsPath(dir), JSON.stringify({ version: 1, settings: { subdomain: 'hooktray-saved1', theme: 'dark' } }));

    expect(resolveSubdomain(dir, 'my-own-name')).toEqual({ ok: true, subdomain: 'my-own-name', generated: false });
    expect(JSON.parse(readFileSync(settingsPath(dir), 'utf8'))).toEqual({ version: 1, settings: { subdomain: 'hooktray-saved1', theme: 'dark' } });
  });

  it('keeps other settings when saving', () => {
    const dir = dataDir();
    writeFileSync(settingsPath(dir), JSON.stringify({ version: 1, settings: { theme: 'dark', subdomain: null } }));
    const result = resolveSubdomain(dir, undefined);

    expect(result.ok).toBe(true);
    expect(JSON.parse(readFileSync(settingsPath(dir), 'utf8'))).toMatchObject({ version: 1, settings: { theme: 'dark', subdomain: expect.stringMatching(/^hooktray-/) } });
  });

  it('rejects an invalid requested name', () => {
    const result = resolveSubdomain(dataDir(), 'No_Good');
    expect(result).toMatchObject({ ok: false, code: 'invalid-subdomain' });
  });

  it('reports a damaged settings file and leaves it alone', () => {
    const dir = dataDir();
    writeFileSync(settingsPath(dir), '{"tunnelSubdomain": "hooktray-abc');
    const result = resolveSubdomain(dir, undefined);

    expect(result).toMatchObject({ ok: false, code: 'settings-unreadable' });
    if (result.ok) return;
    expect(result.message).toContain(settingsPath(dir));
    expect(result.message).toContain('not valid JSON');
    expect(readFileSync(settingsPath(dir), 'utf8')).toBe('{"tunnelSubdomain": "hooktray-abc');
  });

  it('reports an invalid saved name with the file', () => {
    const dir = dataDir();
    writeFileSync(settingsPath(dir), JSON.stringify({ version: 1, settings: { subdomain: 'UPPER' } }));
    const result = resolveSubdomain(dir, undefined);

    expect(result).toMatchObject({ ok: false, code: 'invalid-subdomain' });
    if (result.ok) return;
    expect(result.message).toContain(settingsPath(dir));
  });
});

describe('urlWithSubdomain', () => {
  it('replaces the first label only', () => {
    expect(urlWithSubdomain('https://lt-abc.loca.lt', 'hooktray-abc123')).toBe('https://hooktray-abc123.loca.lt');
    expect(urlWithSubdomain('http://lt-1.tunnel.test:8080', 'mine')).toBe('http://mine.tunnel.test:8080');
  });
});
