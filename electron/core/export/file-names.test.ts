import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deliveryBaseName, resolveInside, UnsafeFileNameError } from './file-names';

const base = { id: '01JRXYZ0000000000000000000', receivedAt: '2025-04-15T13:33:55.271Z', method: 'POST' };

describe('deliveryBaseName', () => {
  it('builds a readable stable name', () => {
    expect(deliveryBaseName({ ...base, path: '/webhooks/spike?x=1' })).toBe('2025-04-15T13-33-55Z_post_webhooks-spike_01JRXYZ0000000000000000000');
  });

  it.each([
    ['/../../../etc/passwd'],
    ['/..%2F..%2Fetc'],
    ['/a\0b/../c'],
    ['/\\..\\..\\windows'],
    [`/${'x'.repeat(5000)}`],
    ['/'],
    ['/.hidden'],
  ])('keeps %j to safe characters', (path) => {
    const name = deliveryBaseName({ ...base, path });
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.length).toBeLessThan(150);
    expect(name.startsWith('.')).toBe(false);
  });

  it('sanitizes hostile ids and methods', () => {
    const name = deliveryBaseName({ ...base, method: '../GET', id: '../../x', path: '/' });
    expect(name).toBe('2025-04-15T13-33-55Z_get_root_x');
  });

  it('names an invalid time', () => {
    expect(deliveryBaseName({ ...base, receivedAt: 'nope', path: '/a' })).toMatch(/^unknown-time_post_a_/);
  });
});

describe('resolveInside', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hooktray-names-'));

  it('accepts a plain name', () => {
    expect(resolveInside(folder, 'a.json')).toBe(join(folder, 'a.json'));
  });

  it.each([['../a.json'], ['sub/a.json'], ['/etc/passwd'], ['a\0.json'], ['.'], ['']])('rejects %j', (name) => {
    expect(() => resolveInside(folder, name)).toThrow(UnsafeFileNameError);
  });
});
