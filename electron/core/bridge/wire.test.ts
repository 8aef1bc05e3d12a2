import { describe, expect, it, vi } from 'vitest';
import { PartAssembler, base64ToBytes, bytesToBase64, fromWire, importRequestChars, splitIntoParts, toWire } from './wire';

function roundTrip(value: unknown): unknown {
  return fromWire(JSON.parse(JSON.stringify(toWire(value))));
}

describe('wire encoding', () => {
  it('round-trips bytes, Buffers included', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    const result = roundTrip({ body: bytes, decoded: Buffer.from('héllo'), none: null }) as Record<string, unknown>;
    expect(result.body).toBeInstanceOf(Uint8Array);
    expect([...(result.body as Uint8Array)]).toEqual([0, 1, 2, 250, 255]);
    expect(new TextDecoder().decode(result.decoded as Uint8Array)).toBe('héllo');
    expect(result.none).toBeNull();
  });

  it('restores objects that use the tag key themselves', () => {
    const headers = { $type: 'bytes', base64: 'AAEC' };
    expect(roundTrip({ headers })).toEqual({ headers });
  });

  it('keeps a __proto__ key as an own property', () => {
    const keyCounts = Object.fromEntries([
      ['__proto__', 2],
      ['spike', 1],
    ]);
    const result = roundTrip({ keyCounts, tagged: Object.fromEntries([['__proto__', 3], ['$type', 'bytes']]) }) as Record<string, Record<string, unknown>>;
    expect(Object.keys(result.keyCounts ?? {})).toEqual(['__proto__', 'spike']);
    expect(Object.getOwnPropertyDescriptor(result.keyCounts, '__proto__')?.value).toBe(2);
    expect(Object.getPrototypeOf(result.keyCounts)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(result.tagged, '__proto__')?.value).toBe(3);
    expect(Object.getPrototypeOf(result.tagged)).toBe(Object.prototype);
  });

  it('keeps arrays and scalars', () => {
    expect(roundTrip([1, 'two', true, { nested: [3] }])).toEqual([1, 'two', true, { nested: [3] }]);
  });

  it('encodes large bodies in chunks', () => {
    const big = new Uint8Array(200_000).map((_, index) => index % 256);
    expect(Buffer.from(base64ToBytes(bytesToBase64(big))).equals(Buffer.from(big))).toBe(true);
    expect(bytesToBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('encodes without Buffer, as in a browser', () => {
    const big = new Uint8Array(100_000).map((_, index) => (index * 7) % 256);
    const expected = Buffer.from(big).toString('base64');
    vi.stubGlobal('Buffer', undefined);
    try {
      expect(bytesToBase64(big)).toBe(expected);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('message parts', () => {
  it('split and join restore the text', () => {
    const text = JSON.stringify({ type: 'invoke', id: 7, note: 'é😀'.repeat(50) });
    const parts = splitIntoParts(7, text, 16);
    const assembler = new PartAssembler(1024);
    const results = parts.map((part) => assembler.add(JSON.parse(JSON.stringify(part)) as typeof part));

    expect(parts.filter((part) => part.final)).toHaveLength(1);
    expect(parts.at(-1)?.final).toBe(true);
    expect(results.at(-1)).toEqual({ status: 'complete', text });
    expect(results.slice(0, -1).every((result) => result.status === 'incomplete')).toBe(true);
  });

  it('assembler drops a message over its limit', () => {
    const assembler = new PartAssembler(10);
    expect(assembler.add({ type: 'part', id: 1, text: '123456', final: false })).toEqual({ status: 'incomplete' });
    expect(assembler.add({ type: 'part', id: 1, text: '789012', final: false })).toEqual({ status: 'too-large', chars: 12 });
    // The dropped text no longer counts, so another message fits.
    expect(assembler.add({ type: 'part', id: 2, text: '0123456789', final: true })).toEqual({ status: 'complete', text: '0123456789' });
  });

  it('assembler keeps ids apart', () => {
    const assembler = new PartAssembler(100);
    assembler.add({ type: 'part', id: 1, text: 'a', final: false });
    assembler.add({ type: 'part', id: 2, text: 'x', final: false });
    assembler.drop(2);
    expect(assembler.add({ type: 'part', id: 1, text: 'b', final: true })).toEqual({ status: 'complete', text: 'ab' });
    expect(assembler.add({ type: 'part', id: 2, text: 'y', final: true })).toEqual({ status: 'complete', text: 'y' });
  });
});

describe('import request size', () => {
  it('bounds the invoke text from above', () => {
    const files = [
      { name: 'index.json', data: new Uint8Array(0) },
      { name: 'a.body', data: new Uint8Array(1) },
      { name: '"\u0001\u001f"'.repeat(60), data: new Uint8Array(1000) },
    ];
    const text = JSON.stringify({ type: 'invoke', id: Number.MAX_SAFE_INTEGER, channel: 'import.run', request: toWire({ files }) });
    const bound = importRequestChars(files.map((file) => ({ name: file.name, size: file.data.byteLength })));
    expect(bound).toBeGreaterThanOrEqual(text.length);
    expect(bound).toBeLessThan(text.length + 2048);
  });
});
