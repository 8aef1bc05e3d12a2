import { describe, expect, it } from 'vitest';
import { prettyLineAt, prettyLineCount, prettyPrintJson, TOKEN_KINDS } from './json-pretty';

function pretty(text: string): string {
  const result = prettyPrintJson(text);
  if (!result.ok) throw new Error(`expected valid JSON, got ${result.message}`);
  return result.document.text;
}

describe('prettyPrintJson', () => {
  it('keeps big integers and trailing zeros as written', () => {
    const text = pretty('{"big":12345678901234567890,"float":1.0,"exp":1E+400,"neg":-0.000}');
    expect(text).toContain('"big": 12345678901234567890');
    expect(text).toContain('"float": 1.0');
    expect(text).toContain('"exp": 1E+400');
    expect(text).toContain('"neg": -0.000');
  });

  it('keeps string escapes and nanosecond timestamps verbatim', () => {
    const text = pretty('["caf\\u00e9","a\\/b","2025-04-15T13:33:55.271331177Z"]');
    expect(text).toContain('"caf\\u00e9"');
    expect(text).toContain('"a\\/b"');
    expect(text).toContain('"2025-04-15T13:33:55.271331177Z"');
  });

  it('indents nested containers two spaces per level', () => {
    expect(pretty('{"a":[1,{"b":null}],"c":{}}')).toBe('{\n  "a": [\n    1,\n    {\n      "b": null\n    }\n  ],\n  "c": {}\n}');
  });

  it('keeps empty containers and scalars on one line', () => {
    expect(pretty(' [ ] ')).toBe('[]');
    expect(pretty('{}')).toBe('{}');
    expect(pretty('"text"')).toBe('"text"');
    expect(pretty('true')).toBe('true');
  });

  it('keeps duplicate keys in received order', () => {
    expect(pretty('{"a":1,"a":2}')).toBe('{\n  "a": 1,\n  "a": 2\n}');
  });

  it('labels token kinds', () => {
    const result = prettyPrintJson('{"k":"v","n":1,"t":true}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const kinds = Array.from(result.document.tokenKinds, (kind) => TOKEN_KINDS[kind]);
    expect(kinds).toEqual(['punctuation', 'key', 'punctuation', 'string', 'punctuation', 'key', 'punctuation', 'number', 'punctuation', 'key', 'punctuation', 'literal', 'punctuation']);
  });

  it('returns each line with its depth and tokens', () => {
    const result = prettyPrintJson('{"a":[1,"x"],"b":{}}');
    if (!result.ok) throw new Error(result.message);
    const lines = Array.from({ length: prettyLineCount(result.document) }, (_, index) => prettyLineAt(result.document, index));
    expect(lines.map((line) => line.depth)).toEqual([0, 1, 2, 2, 1, 1, 0]);
    expect(lines[1]?.tokens).toEqual([
      { kind: 'key', text: '"a"' },
      { kind: 'punctuation', text: ': ' },
      { kind: 'punctuation', text: '[' },
    ]);
    expect(lines[3]?.tokens).toEqual([{ kind: 'string', text: '"x"' }]);
    expect(lines.map((line) => '  '.repeat(line.depth) + line.tokens.map((token) => token.text).join('')).join('\n')).toBe(result.document.text);
  });

  it('reports progress on a long body', () => {
    const text = JSON.stringify(Array.from({ length: 200_000 }, (_, index) => ({ index })));
    const reported: number[] = [];
    const result = prettyPrintJson(text, undefined, (fraction) => reported.push(fraction));
    expect(result.ok).toBe(true);
    expect(reported.length).toBeGreaterThan(2);
    expect(reported).toEqual([...reported].sort((a, b) => a - b));
    expect(reported.every((fraction) => fraction > 0 && fraction < 1)).toBe(true);
  });

  it.each([
    ['{"a":1,}', 'Expected a property name'],
    ['[1,]', 'Unexpected character'],
    ['[1 2]', 'Expected "," or "]"'],
    ['{"a" 1}', 'Expected ":"'],
    ['01', 'Unexpected text after'],
    ['"open', 'Unterminated string'],
    ['"bad \\x escape"', 'Invalid escape'],
    ['"tab\there"', 'Control character'],
    ['[1', 'Unexpected end'],
    ['', 'No JSON value'],
    ['<img src=x onerror=alert(1)>', 'Unexpected character'],
  ])('rejects %s', (text, message) => {
    const result = prettyPrintJson(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid-json');
    expect(result.message).toContain(message);
  });

  it('reports too-deep nesting without overflowing the stack', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const result = prettyPrintJson(deep);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('too-deep');
  });

  it('accepts nesting up to the limit', () => {
    const result = prettyPrintJson('['.repeat(10) + ']'.repeat(10), 10);
    expect(result.ok).toBe(true);
  });
});
