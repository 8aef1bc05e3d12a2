import { describe, expect, it } from 'vitest';
import { runBodyJob, transferablesOf } from './body-jobs';
import { hexLine } from './bytes';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('runBodyJob', () => {
  it('decodes text and indexes its lines', () => {
    const result = runBodyJob({ kind: 'text', bytes: utf8('first\r\nİ second') });
    expect(result.text).toBe('first\r\nİ second');
    expect(result.validUtf8).toBe(true);
    expect(result.binary).toBe(false);
    expect(Array.from(result.lineStarts)).toEqual([0, 7, 16]);
  });

  it('marks invalid UTF-8 as binary', () => {
    const result = runBodyJob({ kind: 'text', bytes: new Uint8Array([0x7b, 0xff, 0x0a, 0x41]) });
    expect(result.validUtf8).toBe(false);
    expect(result.binary).toBe(true);
    expect(result.text).toBe('{\uFFFD\nA');
  });

  it('finds match offsets in the original text', () => {
    const result = runBodyJob({ kind: 'find', text: 'İİ target\nTARGET', needle: 'target' });
    expect(Array.from(result.offsets)).toEqual([3, 10]);
    expect(Array.from(runBodyJob({ kind: 'find', text: 'abc', needle: '' }).offsets)).toEqual([]);
  });

  it('pretty-prints JSON and keeps its spelling', () => {
    const result = runBodyJob({ kind: 'pretty', text: '{"n":1.0}' });
    if (!result.ok) throw new Error(result.message);
    expect(result.document.text).toBe('{\n  "n": 1.0\n}');
  });

  it('formats a hex dump line by line', () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, index) => index * 7);
    const dump = runBodyJob({ kind: 'hex-dump', bytes });
    expect(dump.split('\n')).toEqual([hexLine(bytes, 0), hexLine(bytes, 1), hexLine(bytes, 2)]);
  });
});

describe('transferablesOf', () => {
  it('lists the typed arrays of each result', () => {
    expect(transferablesOf(runBodyJob({ kind: 'text', bytes: utf8('a\nb') }))).toHaveLength(1);
    expect(transferablesOf(runBodyJob({ kind: 'find', text: 'aa', needle: 'a' }))).toHaveLength(1);
    expect(transferablesOf(runBodyJob({ kind: 'pretty', text: '[1]' }))).toHaveLength(4);
    expect(transferablesOf(runBodyJob({ kind: 'pretty', text: '[1' }))).toHaveLength(0);
    expect(transferablesOf(runBodyJob({ kind: 'hex-dump', bytes: utf8('x') }))).toHaveLength(0);
  });
});
