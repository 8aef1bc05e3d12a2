import { describe, expect, it } from 'vitest';
import { escapeJsonStrings, jsonRewrites, layoutJson, tokenizeJson } from './json-layout';

const SAMPLE = { a: [1, { b: 'x/y', c: [] }, {}], d: 'é', e: null, f: true };
const TEXT = JSON.stringify(SAMPLE);

describe('json layout', () => {
  const tokens = tokenizeJson(TEXT);

  it('tokenizes objects and arrays only', () => {
    expect(tokens).not.toBeNull();
    expect(tokenizeJson('"just a string"')).toBeNull();
    expect(tokenizeJson('{"a": "unterminated}')).toBeNull();
    expect(tokenizeJson('a=1&b=2')).toBeNull();
  });

  it('matches JSON.stringify indents', () => {
    expect(layoutJson(tokens ?? [], 'indent2')).toBe(JSON.stringify(SAMPLE, null, 2));
    expect(layoutJson(tokens ?? [], 'indent4')).toBe(JSON.stringify(SAMPLE, null, 4));
    expect(layoutJson(tokens ?? [], 'tabs')).toBe(JSON.stringify(SAMPLE, null, '\t'));
  });

  it('writes compact and spaced layouts', () => {
    const pretty = tokenizeJson(JSON.stringify(SAMPLE, null, 2)) ?? [];
    expect(layoutJson(pretty, 'compact')).toBe(TEXT);
    expect(layoutJson(pretty, 'spaced')).toBe('{"a": [1, {"b": "x/y", "c": []}, {}], "d": "é", "e": null, "f": true}');
  });

  it('keeps number text exactly', () => {
    const text = '{"n": 1.50, "big": 12345678901234567890, "e": 1E+3}';
    expect(layoutJson(tokenizeJson(text) ?? [], 'compact')).toBe('{"n":1.50,"big":12345678901234567890,"e":1E+3}');
  });

  it('escapes and unescapes strings', () => {
    const escaped = layoutJson(escapeJsonStrings(tokens ?? [], 'escape-non-ascii'), 'compact');
    expect(escaped).toContain('"\\u00e9"');
    expect(layoutJson(escapeJsonStrings(tokenizeJson(escaped) ?? [], 'unescape-non-ascii'), 'compact')).toBe(TEXT);
    const slashed = layoutJson(escapeJsonStrings(tokens ?? [], 'escape-slash'), 'compact');
    expect(slashed).toContain('"x\\/y"');
    expect(layoutJson(escapeJsonStrings(tokenizeJson(slashed) ?? [], 'unescape-slash'), 'compact')).toBe(TEXT);
  });

  it('leaves escaped backslashes alone', () => {
    const text = '{"path":"C:\\\\dir/x"}';
    expect(layoutJson(escapeJsonStrings(tokenizeJson(text) ?? [], 'escape-slash'), 'compact')).toBe('{"path":"C:\\\\dir\\/x"}');
  });

  it('yields distinct rewrites without the original', () => {
    const rewrites = [...jsonRewrites(`${TEXT}\n`)].map((rewrite) => rewrite.text);
    expect(rewrites).not.toContain(`${TEXT}\n`);
    expect(new Set(rewrites).size).toBe(rewrites.length);
    expect(rewrites).toContain(`${JSON.stringify(SAMPLE, null, 2)}\n`);
  });

  it('yields nothing for non-JSON', () => {
    expect([...jsonRewrites('hello world')]).toEqual([]);
  });
});
