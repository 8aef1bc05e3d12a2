import { describe, expect, it } from 'vitest';
import type { SettingsDraft } from './settings-draft';
import { fieldTarget, settingsErrorText } from './settings-fields';

const DRAFT: SettingsDraft = {
  profiles: [
    { savedName: 'spike', name: 'spike', scheme: 'spike', pathPrefix: '/spike', optionsText: '{}', newKey: '' },
    { savedName: 'gh', name: ' gh ', scheme: 'github', pathPrefix: '/gh', optionsText: '{}', newKey: '' },
    { savedName: null, name: '', scheme: 'hmac', pathPrefix: '/', optionsText: '{}', newKey: '' },
  ],
  status: '200',
  headersText: '',
  body: '',
  delayMs: '0',
  maxCount: '0',
  maxAgeDays: '0',
  subdomain: '',
  tunnelHost: '',
  notifications: { deliveries: true, invalidSignatures: true, tunnel: true },
  pathToken: '',
  rateLimitPerSecond: '0',
};

describe('fieldTarget', () => {
  it('names settings fields by their labels', () => {
    const cases: [string, string, string][] = [
      ['response.status', 'response.status', 'Status'],
      ['retention.maxAgeDays', 'retention.maxAgeDays', 'Maximum age (days)'],
      ['subdomain', 'subdomain', 'Subdomain'],
      ['protection.rateLimitPerSecond', 'protection.rateLimitPerSecond', 'Rate limit per client'],
      ['notifications.tunnel', 'notifications.tunnel', 'Tunnel down or subdomain changed'],
      ['response.headers.Bad Name', 'response.headers', 'Headers (header "Bad Name")'],
    ];
    for (const [path, name, label] of cases) {
      expect(fieldTarget(path, DRAFT), path).toEqual({ name, label });
    }
  });

  it('names profile fields by profile name', () => {
    expect(fieldTarget('profiles.1.name', DRAFT)).toEqual({ name: 'profiles.1.name', label: 'Name of profile gh' });
    expect(fieldTarget('profiles.0.newKey', DRAFT)).toEqual({ name: 'profiles.0.newKey', label: 'New key of profile spike' });
    expect(fieldTarget('profiles.0.options.keyEncoding', DRAFT)).toEqual({ name: 'profiles.0.options', label: 'Options of profile spike' });
    expect(fieldTarget('profiles.0.options.header', DRAFT)).toEqual({ name: 'profiles.0.options', label: 'Options of profile spike' });
  });

  it('counts a profile without a name from 1', () => {
    expect(fieldTarget('profiles.2.pathPrefix', DRAFT)).toEqual({ name: 'profiles.2.pathPrefix', label: 'Path prefix of profile 3' });
  });

  it('returns null for paths without a field', () => {
    for (const path of ['profiles', 'profiles.7.name', 'profiles.x.name', 'profiles.0.__proto__', 'profileRenames.0.to', 'keys', '(file)', '__proto__', 'response']) {
      expect(fieldTarget(path, DRAFT), path).toBeNull();
    }
  });
});

describe('settingsErrorText', () => {
  it('leads with the label', () => {
    expect(settingsErrorText({ name: 'response.status', label: 'Status' }, 'Enter an HTTP status code from 100 to 599.')).toBe('Status: Enter an HTTP status code from 100 to 599.');
  });

  it('keeps a message without a field', () => {
    expect(settingsErrorText(null, 'Saving the keys failed.')).toBe('Saving the keys failed.');
  });
});
