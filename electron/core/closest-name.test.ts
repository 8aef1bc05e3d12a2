import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest-name';

describe('editDistance', () => {
  it('counts each kind of edit as 1', () => {
    expect(editDistance('port', 'port')).toBe(0);
    expect(editDistance('no-tunel', 'no-tunnel')).toBe(1);
    expect(editDistance('prot', 'port')).toBe(1);
    expect(editDistance('profile', 'profiles')).toBe(1);
    expect(editDistance('json', 'jsno')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closestName', () => {
  const options = ['port', 'data-dir', 'config', 'no-tunnel', 'subdomain', 'tunnel-host', 'json'];

  it('finds a close option', () => {
    expect(closestName('no-tunel', options)).toBe('no-tunnel');
    expect(closestName('prot', options)).toBe('port');
    expect(closestName('confg', options)).toBe('config');
    expect(closestName('Data-Dir', options)).toBe('data-dir');
  });

  it('returns null when nothing is close', () => {
    expect(closestName('verbose', options)).toBeNull();
    expect(closestName('x', options)).toBeNull();
    expect(closestName('tunnel', options)).toBeNull();
  });

  it('prefers the nearest candidate', () => {
    expect(closestName('profile', ['response', 'profiles', 'retention'])).toBe('profiles');
  });
});
