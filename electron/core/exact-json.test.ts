import { describe, expect, it } from 'vitest';
import { canonicalNumber, exactEqual, formatExactJson, parseExactJson } from './exact-json';

function parse(text: string) {
  const result = parseExactJson(text);
  if (!result.ok) throw new Error(result.message);
  return result.value;
}

describe('parseExactJson', () => {
  it('keeps number text beyond 2^53', () => {
    const value = parse('{"n": 9007199254740993, "f": 0.1000000000000000055511151231257827}');
    expect(formatExactJson(value, 0).replace(/\n/g, '')).toBe('{"n": 9007199254740993,"f": 0.1000000000000000055511151231257827}');
  });

  it('keeps string escapes as received', () => {
    const value = parse('["caf\\u00e9", "a\\/b"]');
    expect(value).toEqual({
      type: 'array',
      items: [
        { type: 'string', value: 'café', raw: '"caf\\u00e9"' },
        { type: 'string', value: 'a/b', raw: '"a\\/b"' },
      ],
    });
  });

  it('accepts what JSON.parse accepts', () => {
    const samples = ['0', '-0.5e-3', '"x"', 'true', 'null', '[]', '{}', ' [1, {"a": [null, false]}] ', '{"a":1,"a":2}'];
    for (const sample of samples) {
      expect(parseExactJson(sample).ok, sample).toBe(true);
    }
  });

  it('rejects what JSON.parse rejects', () => {
    const samples = ['', '01', '1.', '.5', '+1', '[1,]', '{"a":1,}', "{'a':1}", '"\\x41"', '"tab\there"', 'nul', '[1] 2', '{"a" 1}', 'NaN'];
    for (const sample of samples) {
      expect(() => JSON.parse(sample), sample).toThrow();
      expect(parseExactJson(sample).ok, sample).toBe(false);
    }
  });

  it('reports the offset of a syntax error', () => {
    const result = parseExactJson('[1, 2 3]');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.offset).toBe(6);
      expect(result.message).toContain('character 6');
    }
  });

  it('rejects nesting beyond the depth limit', () => {
    const deep = `${'['.repeat(600)}${']'.repeat(600)}`;
    const result = parseExactJson(deep);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe('too-deep');
    expect(parseExactJson(`${'['.repeat(100)}${']'.repeat(100)}`).ok).toBe(true);
  });
});

describe('canonicalNumber', () => {
  it('equates one value written differently', () => {
    expect(canonicalNumber('1')).toBe(canonicalNumber('1.0'));
    expect(canonicalNumber('100')).toBe(canonicalNumber('1e2'));
    expect(canonicalNumber('0.25')).toBe(canonicalNumber('25E-2'));
    expect(canonicalNumber('-0')).toBe(canonicalNumber('0.000'));
  });

  it('separates values that floats would merge', () => {
    expect(canonicalNumber('9007199254740993')).not.toBe(canonicalNumber('9007199254740992'));
    expect(Number('9007199254740993')).toBe(Number('9007199254740992'));
    expect(canonicalNumber('0.30000000000000004')).not.toBe(canonicalNumber('0.3000000000000000444'));
    expect(canonicalNumber('1e400')).not.toBe(canonicalNumber('2e400'));
  });
});

describe('exactEqual', () => {
  it('ignores key order and whitespace', () => {
    expect(exactEqual(parse('{"a": 1, "b": [1, 2]}'), parse('{"b":[1,2],"a":1.0}'))).toBe(true);
  });

  it('compares strings by decoded value', () => {
    expect(exactEqual(parse('"\\u0041"'), parse('"A"'))).toBe(true);
  });

  it('finds a difference in the last digit', () => {
    expect(exactEqual(parse('[12345678901234567890]'), parse('[12345678901234567891]'))).toBe(false);
  });
});

describe('formatExactJson', () => {
  it('indents without changing tokens', () => {
    const text = '{"a":[1.50,"\\u00e9",{}],"b":{"c":null}}';
    const formatted = formatExactJson(parse(text));
    expect(formatted).toBe('{\n  "a": [\n    1.50,\n    "\\u00e9",\n    {}\n  ],\n  "b": {\n    "c": null\n  }\n}');
    expect(formatted.replace(/\s+/g, '')).toBe(text);
  });
});
