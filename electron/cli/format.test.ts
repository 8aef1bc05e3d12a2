import { describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../core/contract';
import { escapeControl, escapeJsonForTerminal, formatDeliveryLine, formatSize, shortenValue } from './format';

describe('escapeControl', () => {
  it('escapes ANSI and C1 controls', () => {
    expect(escapeControl('/a\u001b[31mred\u0007\u009b')).toBe('/a\\x1b[31mred\\x07\\x9b');
  });

  it('escapes line breaks', () => {
    expect(escapeControl('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
  });

  it('escapes invisible and direction marks', () => {
    expect(escapeControl('\uFEFF{"user":"\u202Eabc\u2066"}\u200B')).toBe('\\ufeff{"user":"\\u202eabc\\u2066"}\\u200b');
  });

  it('keeps printable text', () => {
    expect(escapeControl('/webhooks/spike?x=é🌍')).toBe('/webhooks/spike?x=é🌍');
    expect(escapeControl('user-\u061cevil\u00ad\u{e0041}❤️')).toBe('user-\\u061cevil\\u00ad\\u{e0041}❤️');
  });
});

describe('formatDeliveryLine', () => {
  it('shows time, method, path, size and verdict', () => {
    const line = formatDeliveryLine({
      id: '01J',
      receivedAt: '2025-04-15T13:33:55.271Z',
      method: 'POST',
      path: '/x\u001b[2J',
      size: 2048,
      truncated: false,
      truncatedReason: null,
      verdict: { status: 'valid', scheme: 'spike', profile: 'spike', encoding: 'hex', keyIndex: 0, reason: '' },
      spike: null,
      retryOf: null,
      bodySha256: '',
    });
    expect(line).toBe('13:33:55.271  POST  /x\\x1b[2J  2.0 KiB  valid (spike, hex, key 1)');
  });

  it('names why a body was not stored', () => {
    const summary: DeliverySummary = {
      id: '01J',
      receivedAt: '2025-04-15T13:33:55.271Z',
      method: 'POST',
      path: '/upload',
      size: 2048,
      truncated: true,
      truncatedReason: 'memory-cap',
      verdict: { status: 'unverified', scheme: null, profile: null, reason: '' },
      spike: null,
      retryOf: null,
      bodySha256: '',
    };
    expect(formatDeliveryLine(summary)).toBe('13:33:55.271  POST  /upload  2.0 KiB  unverified  [busy receiving other deliveries: not stored, answered 503]');
    expect(formatDeliveryLine({ ...summary, truncatedReason: 'body-limit' })).toBe('13:33:55.271  POST  /upload  2.0 KiB  unverified  [over the body limit: not stored, answered 413]');
    // A summary without a reason comes from before it was recorded, when the body limit was the only cause.
    expect(formatDeliveryLine({ ...summary, truncatedReason: null })).toContain('[over the body limit: not stored, answered 413]');
  });

  it('formats sizes', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(20 * 1024 * 1024)).toBe('20.0 MiB');
  });
});

describe('escapeJsonForTerminal', () => {
  it('escapes controls and bidi marks and keeps the value', () => {
    const value = { user: 'a\u202eb\u009bc\u200bd\u2028e\u007f', plain: 'é ✓' };
    const escaped = escapeJsonForTerminal(JSON.stringify(value));
    expect(escaped).toBe('{"user":"a\\u202eb\\u009bc\\u200bd\\u2028e\\u007f","plain":"é ✓"}');
    expect(JSON.parse(escaped)).toEqual(value);
  });

  it('escapes every invisible character as JSON allows', () => {
    // U+061C is a bidirectional mark, U+00AD a soft hyphen, U+E0041 a tag character that hides text.
    const value = { user: 'a\u061cb\u00adc\u{e0041}d', emoji: '❤️' };
    const escaped = escapeJsonForTerminal(JSON.stringify(value));
    expect(escaped).toBe('{"user":"a\\u061cb\\u00adc\\udb40\\udc41d","emoji":"❤️"}');
    expect(JSON.parse(escaped)).toEqual(value);
  });
});

describe('shortenValue', () => {
  it('keeps a short value whole', () => {
    expect(shortenValue('user-1', 80)).toBe('user-1');
    expect(shortenValue('a'.repeat(80), 80)).toBe('a'.repeat(80));
  });

  it('cuts a long value and names its length', () => {
    expect(shortenValue('a'.repeat(81), 80)).toBe(`${'a'.repeat(80)}… (81 characters)`);
  });

  it('escapes what it shows', () => {
    expect(shortenValue(`\u001b[2J${'a'.repeat(100)}`, 10)).toBe('\\x1b[2Jaaaaaa… (104 characters)');
  });

  it('never splits a surrogate pair', () => {
    expect(shortenValue(`abc${'🌍'.repeat(5)}`, 4)).toBe('abc… (13 characters)');
  });
});
